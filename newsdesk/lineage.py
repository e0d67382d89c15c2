"""Child processes that end with their parent.

A process killed with SIGKILL cannot stop its children: Granian's worker processes
would keep the port and answer with an application nobody supervises, and a new
`newsdesk run` could not start. On Linux a child asks the kernel (prctl
PR_SET_PDEATHSIG) for a signal when its parent ends, and is stopped the way an
operator would stop it. Elsewhere nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

#: prctl option: the signal this process gets when its parent ends (linux/prctl.h)
PR_SET_PDEATHSIG = 1
#: the supervisor's pid in its children's environment (ops/supervisor.py)
PARENT_VARIABLE = "NEWSDESK_SUPERVISOR_PID"


def end_with_parent(parent: int, signum: int = signal.SIGTERM) -> bool:
    """Have `signum` sent to this process when its parent, `parent`, ends; sent at once
    when it already has (this process then has another parent). False off Linux or
    when the kernel refused."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:  # it ended before the request was made
        os.kill(os.getpid(), signum)
    return True


def end_with_supervisor() -> None:
    """In a child of `newsdesk run`: end with it (SIGTERM, the child's clean stop). The
    variable is taken out of the environment, so this process's own children, whose
    parent it is, do not read it."""
    parent = os.environ.pop(PARENT_VARIABLE, "")
    if parent.isdigit():
        end_with_parent(int(parent))
