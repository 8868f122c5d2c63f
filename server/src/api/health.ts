import type { ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@ringkv/gen/grpc/health/v1/health_pb.js";

/**
 * `grpc.health.v1.Health`: SERVING while the node is ready (storage open, ring known), for
 * load balancers and `grpc_health_probe`. The empty service name means the whole node.
 */
export function registerHealth(router: ConnectRouter, isReady: () => boolean, serviceNames: readonly string[]): void {
  const status = (service: string) => {
    if (service !== "" && !serviceNames.includes(service)) return Status.SERVICE_UNKNOWN;
    return isReady() ? Status.SERVING : Status.NOT_SERVING;
  };
  router.service(Health, {
    check: (req) => ({ status: status(req.service) }),
    async *watch(req, ctx) {
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const now = status(req.service);
        if (now !== last) {
          last = now;
          yield { status: now };
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
  });
}
