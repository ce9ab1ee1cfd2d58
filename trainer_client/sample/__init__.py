"""DeepSeek-R1's rejection sampling through rewardd: `python -m trainer_client.sample`."""
