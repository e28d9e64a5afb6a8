# runai-sync in a container: a static binary (CGO_ENABLED=0) on a
# distroless base with no shell, running as a non-root user.
#
#   docker build --build-arg VERSION=v1.2.3 -t runai-sync .
#   docker run --rm -e RUNAI_BASE_URL -e RUNAI_CLIENT_ID -e RUNAI_CLIENT_SECRET \
#     -v "$PWD/manifests:/manifests:ro" runai-sync drift -f /manifests --state none
#
# internal/packaging's tests build the binary with the flags of the build
# step below and check that it is static.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.buildVersion=${VERSION}" -o /out/runai-sync ./cmd/runai-sync

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/runai-sync /usr/local/bin/runai-sync
# 65532 is distroless's nonroot; its home is writable for the default
# state file (.runai-sync/state.json) when --state is not given.
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/runai-sync"]
CMD ["--help"]
