# Every Hostplane image, one target each: gateway, provisioning, dns, billing, webhooks,
# support, metrics and cloudsim (`make images` builds them all as hostplane/<target>:<tag>).
#
#   docker build --network host --target gateway -t hostplane/gateway:0.1.0 .
#
# Python packages come from the wheelhouse (deploy/docker/wheelhouse.sh: uv.lock's wheels and
# Hostplane's own), with no package index in the build. BASE_IMAGE is the official
# python:3.11-slim, or deploy/docker/base.sh's Debian bookworm with Debian's python3.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# A virtual environment per service, holding its package and exactly what it needs.
FROM base AS builder
RUN python3 -m venv /opt/venv
COPY .local/wheelhouse/ /wheels/
# pip, from the wheelhouse only, at the locked versions. Bytecode is compiled for what a
# service imports as it starts (`import hostplane.<service>.__main__`), not for every module
# installed: starts stay quick on a read-only root filesystem, the image stays small.
ENV PIP_NO_INDEX=1 \
    PIP_FIND_LINKS="/wheels /wheels/hostplane" \
    PIP_CONSTRAINT=/wheels/constraints.txt \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The runtime: the base, tini as PID 1, a user of its own, and the liveness probe.
FROM base AS runtime
# hadolint ignore=DL3008
RUN if ! command -v tini >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends tini \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
    && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin hostplane
COPY deploy/docker/healthcheck.py /opt/hostplane/healthcheck.py
ENV METRICS_HOST=0.0.0.0
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["tini", "--"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "/opt/hostplane/healthcheck.py"]

FROM builder AS gateway-venv
RUN pip install --quiet --no-compile hostplane-gateway && pip uninstall --yes --quiet pip setuptools \
    && PYTHONDONTWRITEBYTECODE='' python -c "import hostplane.gateway.__main__"
FROM runtime AS gateway
COPY --from=gateway-venv /opt/venv /opt/venv
# OpenClaw and CloudVPS on 8080, mPanel on 2271 (its documented port), CloudVPS on 8081.
ENV GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8080 MPANEL_HOST=0.0.0.0 MPANEL_PORT=2271 \
    CLOUDVPS_HOST=0.0.0.0 CLOUDVPS_PORT=8081 METRICS_PORT=9100
EXPOSE 8080 2271 8081 9100
CMD ["python", "-m", "hostplane.gateway"]

FROM builder AS provisioning-venv
RUN pip install --quiet --no-compile hostplane-provisioning && pip uninstall --yes --quiet pip setuptools \
    && PYTHONDONTWRITEBYTECODE='' python -c "import hostplane.provisioning.__main__"
FROM runtime AS provisioning
COPY --from=provisioning-venv /opt/venv /opt/venv
ENV METRICS_PORT=9101
EXPOSE 9101
CMD ["python", "-m", "hostplane.provisioning"]

FROM builder AS dns-venv
RUN pip install --quiet --no-compile hostplane-dns && pip uninstall --yes --quiet pip setuptools \
    && PYTHONDONTWRITEBYTECODE='' python -c "import hostplane.dns.__main__"
FROM runtime AS dns
COPY --from=dns-venv /opt/venv /opt/venv
ENV METRICS_PORT=9102
EXPOSE 9102
CMD ["python", "-m", "hostplane.dns"]

FROM builder AS metrics-venv
RUN pip install --quiet --no-compile hostplane-metrics && pip uninstall --yes --quiet pip setuptools \
    && PYTHONDONTWRITEBYTECODE='' python -c "import hostplane.metrics.__main__"
FROM runtime AS metrics
COPY --from=metrics-venv /opt/venv /opt/venv
ENV METRICS_PORT=9103
EXPOSE 9103
CMD ["python", "-m", "hostplane.metrics"]

FROM builder AS billing-venv
RUN pip install --quiet --no-compile hostplane-billing && pip uninstall --yes --quiet pip setuptools \
    && PYTHONDONTWRITEBYTECODE='' python -c "import hostplane.billing.__main__"
FROM runtime AS billing
COPY --from=billing-venv /opt/venv /opt/venv
ENV METRICS_PORT=9104
EXPOSE 9104
CMD ["python", "-m", "hostplane.billing"]

FROM builder AS webhooks-venv
RUN pip install --quiet --no-compile hostplane-webhooks && pip uninstall --yes --quiet pip setuptools \
    && PYTHONDONTWRITEBYTECODE='' python -c "import hostplane.webhooks.__main__"
FROM runtime AS webhooks
COPY --from=webhooks-venv /opt/venv /opt/venv
ENV METRICS_PORT=9105
EXPOSE 9105
CMD ["python", "-m", "hostplane.webhooks"]

FROM builder AS support-venv
RUN pip install --quiet --no-compile hostplane-support && pip uninstall --yes --quiet pip setuptools \
    && PYTHONDONTWRITEBYTECODE='' python -c "import hostplane.support.__main__"
FROM runtime AS support
COPY --from=support-venv /opt/venv /opt/venv
ENV METRICS_PORT=9106
EXPOSE 9106
CMD ["python", "-m", "hostplane.support"]

FROM builder AS cloudsim-venv
RUN pip install --quiet --no-compile hostplane-cloudsim && pip uninstall --yes --quiet pip setuptools \
    && PYTHONDONTWRITEBYTECODE='' python -c "import hostplane.cloudsim.__main__"
FROM runtime AS cloudsim
COPY --from=cloudsim-venv /opt/venv /opt/venv
# Development and tests only: the providers' simulators.
ENV HEALTH_URL=http://127.0.0.1:8090/_admin/health
EXPOSE 8090
CMD ["python", "-m", "hostplane.cloudsim", "--host", "0.0.0.0", "--port", "8090"]
