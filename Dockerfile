# The casegraph image used by docker-compose.yml (service `casegraph`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --gid 10001 casegraph \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin casegraph \
    && mkdir -p /data \
    && chown casegraph:casegraph /data

# Install the repository as a package (what .dockerignore leaves of it), then drop the sources.
COPY . /tmp/casegraph-src
RUN pip install /tmp/casegraph-src \
    && rm -rf /tmp/casegraph-src

# the casegraph user, by number (so a runtime can check it is not root)
USER 10001:10001
# Relative paths (sample data, casegraph-state.sqlite, rejects) land in the /data volume.
WORKDIR /data
EXPOSE 8050
CMD ["casegraph", "demo", "--host", "0.0.0.0"]
