"""Where student code runs: kernels forked from a warm process (`zygote`, reached by `launcher`
and `kernel_client`), confined by bubblewrap and namespaces (`isolation`), within limits and a
clean environment (`sandbox`)."""
