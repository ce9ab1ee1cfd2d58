#!/bin/sh
# Entrypoint of the rewardd image.
#
# As the image's own user (the default) it just runs the command. Started as root, which the
# worker service does, it looks up the group that owns the Docker socket it was given (the gid
# differs from host to host), then drops for good to the rewardd user plus that one group, with
# no capabilities left. So no one has to pass the host's docker gid by hand.
set -eu

if [ "$(id -u)" != 0 ]; then
    exec "$@"
fi

groups=10001
socket="${DOCKER_HOST:-unix:///var/run/docker.sock}"
socket="${socket#unix://}"
if [ -S "$socket" ]; then
    groups="$groups,$(stat -c %g "$socket")"
fi
export HOME=/home/rewardd
exec setpriv --reuid=10001 --regid=10001 --groups="$groups" \
    --inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"
