# The rewardd image: one image for both `rewardd serve` (api) and `rewardd worker`.
#
# Hosts with a registry:  docker build -t rewardd:latest .       (or: docker compose build)
# No registry/air-gapped: scripts/build_images.sh   (same file, on a debootstrap base, with
#                         the Python packages as wheels fetched beforehand; built with no network)
#
# Works with the classic builder as well as BuildKit: no RUN --mount, no heredocs.
ARG BASE_IMAGE=python:3.11-slim-bookworm

# --- build: the dependencies in a virtualenv --------------------------------------------------
FROM ${BASE_IMAGE} AS build

# wheelhouse/ is only in the context that scripts/build_images.sh sends; with no wheels, pip
# uses the package index. The glob lets the same COPY work in both cases.
COPY pyproject.toml wheelhous[e] /wheelhouse/
RUN set -eux; \
    python3 -c "import tomllib; print('\n'.join(tomllib.load(open('/wheelhouse/pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt; \
    if ls /wheelhouse/pip-*.whl >/dev/null 2>&1; then \
        # Debian's python3 has no ensurepip: run pip straight from its wheel, offline.
        python3 -m venv --without-pip /opt/rewardd; \
        /opt/rewardd/bin/python "$(ls /wheelhouse/pip-*.whl)/pip" install --no-cache-dir \
            --no-index --find-links /wheelhouse -r /tmp/requirements.txt; \
    else \
        python3 -m venv /opt/rewardd; \
        /opt/rewardd/bin/pip install --no-cache-dir -r /tmp/requirements.txt; \
        /opt/rewardd/bin/pip uninstall -y pip setuptools; \
    fi; \
    # Test suites of the dependencies (sympy's alone is 30 MB) are never imported here.
    find /opt/rewardd -depth -type d \( -name '__pycache__' -o -name tests \) -exec rm -rf {} +; \
    /opt/rewardd/bin/python -m compileall -q -j 0 /opt/rewardd/lib >/dev/null; \
    # The project is on the path as source (below), not installed: a code change then costs a
    # layer of a few hundred KiB instead of a copy of the whole virtualenv.
    echo /opt/rewardd/src > "$(/opt/rewardd/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/rewardd-src.pth"; \
    printf '#!/bin/sh\nexec /opt/rewardd/bin/python -m rewardd "$@"\n' > /opt/rewardd/bin/rewardd; \
    chmod 755 /opt/rewardd/bin/rewardd

# --- the image --------------------------------------------------------------------------------
FROM ${BASE_IMAGE}

LABEL org.opencontainers.image.title="rewardd" \
      org.opencontainers.image.description="Verifiable rewards for RL training: api and worker"

# A fixed uid/gid so that volumes and the Docker socket's group can be reasoned about.
RUN set -eux; \
    echo 'rewardd:x:10001:10001:rewardd service:/home/rewardd:/usr/sbin/nologin' >> /etc/passwd; \
    echo 'rewardd:x:10001:' >> /etc/group; \
    mkdir -p /home/rewardd; \
    chown 10001:10001 /home/rewardd; \
    rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/*

COPY --from=build /opt/rewardd /opt/rewardd
COPY docker/entrypoint.sh /usr/local/bin/rewardd-entrypoint
COPY rewardd /opt/rewardd/src/rewardd
COPY sandbox /opt/rewardd/src/sandbox
RUN /opt/rewardd/bin/python -m compileall -q /opt/rewardd/src >/dev/null

ENV PATH=/opt/rewardd/bin:$PATH \
    HOME=/home/rewardd \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

USER 10001:10001
WORKDIR /home/rewardd
EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/rewardd-entrypoint"]
CMD ["rewardd", "serve", "--host", "0.0.0.0", "--port", "8000"]
