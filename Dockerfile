# tunebench as a container image (built in CI, not by the test command: see README "Container
# image"). Two stages from debian:12-slim:
#   build    installs what scripts/setup installs (the same script, so the image builds with the
#            packages a developer's machine has), builds the release preset without the tests and
#            installs into /stage; scripts/setup also fetched the tokenizer's rank files.
#   runtime  only the runtime libraries, the binary, the price catalog, the example suites with
#            their datasets and the rank files (all under /usr/local), run by a user without root.
#
#   docker build --build-arg GIT_REVISION=$(git describe --always --dirty) -t tunebench .
#   docker run --rm tunebench run /usr/local/share/tunebench/suites/demo.yaml
FROM debian:12-slim AS build
ARG GIT_REVISION=unknown
WORKDIR /src
COPY scripts/ scripts/
RUN bash scripts/setup && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset release -DTUNEBENCH_TESTS=OFF -DTUNEBENCH_GIT_REVISION="${GIT_REVISION}" \
 && cmake --build --preset release --target tunebench \
 && DESTDIR=/stage cmake --install build/release --prefix /usr/local \
 && mkdir -p /stage/usr/local/share/tunebench/vocab \
 && cp /root/.local/share/tunebench/vocab/*.tiktoken /stage/usr/local/share/tunebench/vocab/

FROM debian:12-slim AS runtime
# The libraries the binary links (the .deb's Depends, computed by dpkg-shlibdeps, name the same;
# a test keeps the two in step) and the CA certificates that TLS verification needs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 libsqlite3-0 libyaml-cpp0.7 libpcre2-8-0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --user-group tunebench
COPY --from=build /stage/usr/local/ /usr/local/
USER 10001:10001
WORKDIR /home/tunebench
ENTRYPOINT ["tunebench"]
CMD ["--help"]
