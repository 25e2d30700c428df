"""petsc_vec_distance.py A.bin B.bin: the relative L2 distance |A - B| / |B| of two PETSc binary Vecs
(written by -ts_view_solution binary:F), printed as %.3e; fails on a non-finite A or on sizes that
differ. Used by the unmodified-program tests."""
import math, struct, sys
def read(p):
    b = open(p, "rb").read()
    cid, n = struct.unpack(">ii", b[:8])
    assert cid == 1211214, (p, cid)
    return struct.unpack(">%dd" % n, b[8:8 + 8 * n])
a, b = read(sys.argv[1]), read(sys.argv[2])
assert len(a) == len(b) and all(math.isfinite(x) for x in a), sys.argv[1]
print("%.3e" % (math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b))) / math.sqrt(sum(y * y for y in b))))
