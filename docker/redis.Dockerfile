# Redis, the broker of distributed mode, from Debian's package: the same on a registry base and
# on the debootstrap base that scripts/build_images.sh makes for hosts with no registry.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/*; \
    mkdir -p /data; \
    chown redis:redis /data

USER redis
WORKDIR /data
EXPOSE 6379
# A queue of grading work, not a database: nothing is worth keeping across a restart (a lost
# chunk comes back to the trainer as an explicit timeout error).
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
