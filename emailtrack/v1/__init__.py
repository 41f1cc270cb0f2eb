"""Generated protobuf and gRPC code for package emailtrack.v1 (do not edit)."""
