# Prints which container this job runs in: Docker bind-mounts /etc/hostname from the
# container's own directory on the host, named by its id (a job's pid 1 and hostname say
# nothing: each job has its own init, and every container is called "sandbox").
with open("/proc/self/mountinfo") as f:
    print(next(line.split()[3] for line in f if " /etc/hostname " in line))
