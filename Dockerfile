# syntax=docker/dockerfile:1
# Minyi: a static binary on a distroless, non-root base.
#
#   docker build -t minyi .
#   docker run --rm minyi migrate                     # once per release, before serving
#   docker run -p 8080:8080 -e DATABASE_URL=... -e REDIS_URL=... -e SECRET_KEY=... \
#       -e PUBLIC_BASE_URL=https://minyi.example.gov.cn minyi
#
# The runtime image has no shell, so there is no HEALTHCHECK here: point the
# orchestrator's liveness probe at GET /healthz and its readiness probe at
# GET /readyz (503 while Postgres is unreachable).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Templates, static files and migrations are embedded; time zone data too
# (time/tzdata), so the runtime image needs neither tzdata nor a shell.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/minyi ./cmd/minyi

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/minyi /minyi
USER nonroot:nonroot
EXPOSE 8080
ENV HTTP_ADDR=:8080
ENTRYPOINT ["/minyi"]
CMD ["serve"]
