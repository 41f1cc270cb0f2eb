# syntax=docker/dockerfile:1
# One image for every emailtrack component; the component is the CMD:
#   docker run IMAGE gateway | services.tracking_edge | services.recipient | ...
#   docker run IMAGE services.recipient migrate
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first (from pyproject.toml), so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && pip install -r requirements.txt
COPY emailtrack ./emailtrack
COPY gateway ./gateway
COPY services ./services
RUN pip install --no-deps . && python -m compileall -q /opt/venv

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 emailtrack \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin emailtrack
COPY --from=builder /opt/venv /opt/venv
# Writable scratch space; Kubernetes mounts an emptyDir here (read-only root filesystem).
WORKDIR /tmp
USER 10001:10001
EXPOSE 8080 50051 9464
ENTRYPOINT ["python", "-m"]
CMD ["gateway"]
