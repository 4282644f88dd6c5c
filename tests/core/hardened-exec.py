#!/usr/bin/env python3
# hardened-exec.py [ARGS...]: execs $HARDENED_PROGRAM with ARGS, under
# no_new_privs and the
# kernel's memory-deny-write-execute (PR_SET_MDWE, Linux >= 6.3) — what
# fohd.service's NoNewPrivileges= and MemoryDenyWriteExecute= impose — after
# checking that a writable+executable mapping is really refused. Exit 77
# (skip) when the kernel has no PR_SET_MDWE.
import ctypes, mmap, os, sys

PR_SET_NO_NEW_PRIVS, PR_SET_MDWE, PR_GET_MDWE = 38, 65, 66
PR_MDWE_REFUSE_EXEC_GAIN = 1

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
    sys.exit("hardened-exec: PR_SET_NO_NEW_PRIVS: %s" % os.strerror(ctypes.get_errno()))
if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    print("hardened-exec: no PR_SET_MDWE here: %s" % os.strerror(ctypes.get_errno()), file=sys.stderr)
    sys.exit(77)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    sys.exit("hardened-exec: a W+X mapping was allowed despite PR_SET_MDWE")
except OSError:
    pass
prog = os.environ["HARDENED_PROGRAM"]
os.execv(prog, [prog] + sys.argv[1:])
