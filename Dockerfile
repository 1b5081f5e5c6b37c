# Strait's container image: the distribution (target/strait-<version>-dist.tar.gz) on a Java 25
# runtime, run as a non-root user. Build the distribution first, then the image:
#
#   mvn -B package -DskipTests && docker build -t strait .
#
# Run it with a topology mounted as a directory at /etc/strait (Strait reloads the file when it
# changes; a directory mount keeps working when the file is replaced):
#
#   docker run --rm -p 8080:8080 -v "$PWD/my-topology:/etc/strait:ro" strait
#
# The Helm chart (helm/strait) mounts its ConfigMap there.
#
# For a release, pin the base image by digest and stamp the commit and the time (OCI labels below):
#
#   digest=$(docker buildx imagetools inspect eclipse-temurin:25-jre --format '{{json .Manifest.Digest}}' | tr -d '"')
#   docker build --build-arg BASE_IMAGE="eclipse-temurin:25-jre@$digest" \
#     --build-arg REVISION="$(git rev-parse HEAD)" --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t strait .

# The Java 25 runtime: Strait runs on Java 17 or later, and on 25 bin/strait keeps an AOT cache
# (JEP 483 and 515) instead of a class-data archive, which brings the first copied record
# sooner (README: Commands; bench/). Kafka builds and tests on Java 25 since 4.2 (KAFKA-19664).
# Not pinned by digest here: the machines this file is written and tested on have no container
# engine and no access to a container registry, so no digest could be read and checked, and a
# digest copied from elsewhere could name another image or a single architecture.
# Pass BASE_IMAGE=eclipse-temurin:25-jre@sha256:... (above) to pin it.
ARG BASE_IMAGE=eclipse-temurin:25-jre
# Strait's version: keep it equal to pom.xml's (DockerfileTest checks).
ARG VERSION=0.1.0-SNAPSHOT
ARG REVISION=""
ARG CREATED=""

# Stage 1: unpack the distribution (ADD extracts a local tar.gz) to a fixed path.
FROM ${BASE_IMAGE} AS unpack
ADD target/strait-*-dist.tar.gz /unpack/
RUN set -- /unpack/strait-*; \
    if [ "$#" -ne 1 ]; then echo "Expected one distribution in target/, found: $*; run mvn clean package" >&2; exit 1; fi; \
    mv "$1" /opt/strait

# Stage 2: the image. The files belong to root and are read-only for Strait's user.
FROM ${BASE_IMAGE}
ARG BASE_IMAGE
ARG VERSION
ARG REVISION
ARG CREATED
# OCI image annotations (github.com/opencontainers/image-spec, annotations.md).
LABEL org.opencontainers.image.title="Strait" \
      org.opencontainers.image.description="Cross-cluster Kafka replication on MirrorMaker 2 and Kafka Connect" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.documentation="/opt/strait/README.md" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
RUN groupadd --system --gid 10001 strait \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin strait
COPY --from=unpack /opt/strait /opt/strait
WORKDIR /opt/strait
# Heap as a share of the container's memory limit; exit (and be restarted) rather than limp on
# after an OutOfMemoryError. The Helm chart sets its own value (javaOpts).
ENV STRAIT_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# 8080: /healthy, /ready, /metrics, /status. 8083: Kafka Connect's internal requests between
# Strait replicas (keep it off any public Service).
EXPOSE 8080 8083
USER 10001:10001
ENTRYPOINT ["bin/strait", "run", "/etc/strait/topology.conf"]
