# The scientific sandbox image: the default image (same runner, same hardening) plus numpy,
# scipy, pandas, sortedcontainers, more-itertools, networkx and sympy, from wheels only.
#
#   scripts/build_sandbox_image.sh sci
#
# The build context is a directory holding this file, requirements-sci.txt and wheels/ (the
# wheels of requirements-sci.txt and of pip itself, for the image's Python): no index, no
# network. The wheels stay in the first stage; only what they install reaches the image.
ARG BASE_IMAGE=rewardd-sandbox:latest
FROM ${BASE_IMAGE} AS install
COPY requirements-sci.txt /build/
COPY wheels/ /build/wheels/
# pip runs from its own wheel: the base image has no pip (and needs none).
RUN set -eux; \
    python3 "$(ls /build/wheels/pip-*.whl)/pip" install --no-index --find-links /build/wheels \
      --break-system-packages --no-warn-script-location --disable-pip-version-check \
      --root-user-action ignore -r /build/requirements-sci.txt

FROM ${BASE_IMAGE}
# Installed under /usr/local (bytecode compiled in place, so tracebacks name real paths).
COPY --from=install /usr/local/ /usr/local/
# Every package imports (checked at build time: a broken wheel fails the build, not a job).
RUN python3 -I -c "import numpy, scipy, scipy.optimize, pandas, sortedcontainers, \
more_itertools, networkx, sympy; print('sci image: numpy', numpy.__version__, 'pandas', \
pandas.__version__)"
