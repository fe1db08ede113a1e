"""The Jupyter client the grader talks to its kernels with: jupyter_client's asynchronous client,
minus fixed waits that cost more than the notebooks themselves.

Its `wait_for_ready` ends as soon as the kernel has answered `kernel_info` and IOPub has been seen
to deliver; jupyter_client's own also waits for 0.2 s of IOPub silence, and its sockets retry a
connection every 100 ms (a kernel's sockets appear a few milliseconds after its start). With two
kernels per notebook, those waits were a third of a notebook's grading time. Stale messages from
the start-up are harmless: nbclient keeps only messages whose parent is the request it sent.
"""

from __future__ import annotations

import time
from queue import Empty

import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from traitlets import default

RECONNECT_MS = 10
CLIENT_CLASS = f"{__name__}.GradingKernelClient"


class GradingKernelClient(AsyncKernelClient):
    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        return context

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=0.5)
            except Empty:
                reply = None
            if reply and reply["msg_type"] == "kernel_info_reply":
                # IOPub is connected once a message arrives on it (the kernel reports its status
                # for every request): a cell's output can no longer be missed.
                try:
                    await self.iopub_channel.get_msg(timeout=0.5)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    # jupyter_client binds the public name to its own function, not to the method above.
    wait_for_ready = _async_wait_for_ready
