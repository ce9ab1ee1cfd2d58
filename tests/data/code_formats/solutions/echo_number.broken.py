print("output0")
