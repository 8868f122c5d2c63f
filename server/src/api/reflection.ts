import { create, toBinary, type DescFile, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import * as v1 from "@ringkv/gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "@ringkv/gen/grpc/reflection/v1alpha/reflection_pb.js";

/** gRPC status NOT_FOUND, used in reflection error responses. */
const grpcNotFound = 5;
const grpcUnimplemented = 12;

/**
 * gRPC server reflection, both `grpc.reflection.v1` and `v1alpha` (grpcurl 1.8 speaks only
 * v1alpha). Why hand-written: no maintained reflection service exists for connect-es; the
 * protocol is small: list services, and answer files by name or by contained symbol with their
 * transitive dependencies, serialized from the descriptors protobuf-es already embeds.
 */
export function registerReflection(router: ConnectRouter, services: readonly DescService[]): void {
  const files = new Map<string, DescFile>();
  const symbols = new Map<string, DescFile>();
  for (const service of services) addFile(service.file);

  function addFile(file: DescFile): void {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    for (const dep of file.dependencies) addFile(dep);
    for (const s of file.services) {
      symbols.set(s.typeName, file);
      for (const m of s.methods) symbols.set(`${s.typeName}.${m.name}`, file);
    }
    const addMessages = (messages: DescFile["messages"]) => {
      for (const m of messages) {
        symbols.set(m.typeName, file);
        for (const e of m.nestedEnums) symbols.set(e.typeName, file);
        addMessages(m.nestedMessages);
      }
    };
    addMessages(file.messages);
    for (const e of file.enums) symbols.set(e.typeName, file);
  }

  /** The file and everything it imports, dependencies after dependents as grpc-go does. */
  function withDependencies(file: DescFile): Uint8Array[] {
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const visit = (f: DescFile) => {
      if (seen.has(f.proto.name)) return;
      seen.add(f.proto.name);
      out.push(toBinary(FileDescriptorProtoSchema, create(FileDescriptorProtoSchema, f.proto)));
      f.dependencies.forEach(visit);
    };
    visit(file);
    return out;
  }

  type Request = v1.ServerReflectionRequest | v1alpha.ServerReflectionRequest;
  // A plain init shape (no $typeName), so the same answer builds a v1 or a v1alpha message.
  type Answer = MessageInitShape<typeof v1.ServerReflectionResponseSchema>["messageResponse"];

  function answer(req: Request): Answer {
    const r = req.messageRequest;
    const notFound = (what: string): Answer => ({ case: "errorResponse", value: { errorCode: grpcNotFound, errorMessage: `${what} not found` } });
    const filesAnswer = (file: DescFile): Answer => ({ case: "fileDescriptorResponse", value: { fileDescriptorProto: withDependencies(file) } });
    switch (r.case) {
      case "listServices":
        return {
          case: "listServicesResponse",
          value: { service: services.map((s) => ({ name: s.typeName })) },
        };
      case "fileByFilename": {
        const file = files.get(r.value);
        return file ? filesAnswer(file) : notFound(`file ${r.value}`);
      }
      case "fileContainingSymbol": {
        const file = symbols.get(r.value.replace(/^\./, ""));
        return file ? filesAnswer(file) : notFound(`symbol ${r.value}`);
      }
      case "fileContainingExtension":
        return notFound(`extension ${r.value.extensionNumber} of ${r.value.containingType}`);
      case "allExtensionNumbersOfType":
        return symbols.has(r.value)
          ? { case: "allExtensionNumbersResponse", value: { baseTypeName: r.value, extensionNumber: [] } }
          : notFound(`type ${r.value}`);
      default:
        return { case: "errorResponse", value: { errorCode: grpcUnimplemented, errorMessage: "unknown reflection request" } };
    }
  }

  router.service(v1.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        yield create(v1.ServerReflectionResponseSchema, { validHost: req.host, originalRequest: req, messageResponse: answer(req) });
      }
    },
  });
  router.service(v1alpha.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        // v1alpha has the same fields and numbers as v1: the same init shape builds it.
        yield create(v1alpha.ServerReflectionResponseSchema, {
          validHost: req.host,
          originalRequest: req,
          messageResponse: answer(req) as MessageInitShape<typeof v1alpha.ServerReflectionResponseSchema>["messageResponse"],
        });
      }
    },
  });
}
