"""Compares what two LEAP runs left behind, for the kill tests (kill_resume.sh).

  compare_runs.py checkpoints A.ckpt B.ckpt   every tensor (weights, EMA, optimiser state, RNG state)
                                              bitwise equal, and the same epoch, step and best loss
  compare_runs.py metrics A/metrics.json B/metrics.json
                                              the same training history (every value but wall times)
Exit 1 with the first difference.
"""
import json
import sys

import torch


def tensors(module):
    out = {}
    for name, t in module.state_dict().items():
        out[name] = t
    return out


def checkpoints(a, b):
    ma, mb = torch.jit.load(a), torch.jit.load(b)
    ta, tb = tensors(ma), tensors(mb)
    if sorted(ta) != sorted(tb):
        sys.exit(f"{a} vs {b}: different entries: {sorted(set(ta) ^ set(tb))[:5]}")
    for k in ta:
        x, y = ta[k], tb[k]
        if x.dtype != y.dtype or x.shape != y.shape or not torch.equal(x.view(-1).view(torch.uint8) if x.numel() else x,
                                                                        y.view(-1).view(torch.uint8) if y.numel() else y):
            sys.exit(f"{a} vs {b}: '{k}' differs")
    for attr in ("epoch", "step", "best"):
        va, vb = getattr(ma, attr, None), getattr(mb, attr, None)
        if va != vb:
            sys.exit(f"{a} vs {b}: {attr} {va} vs {vb}")
    print(f"bitwise equal: {a} and {b} ({len(ta)} tensors, epoch {getattr(ma, 'epoch', '?')})")


def strip(m):
    drop = {"seconds", "samples_per_second"}
    if isinstance(m, dict):
        return {k: strip(v) for k, v in m.items() if k not in drop}
    if isinstance(m, list):
        return [strip(v) for v in m]
    return m


def metrics(a, b):
    ma, mb = strip(json.load(open(a))), strip(json.load(open(b)))
    if ma != mb:
        for k in sorted(set(ma) | set(mb)):
            if ma.get(k) != mb.get(k):
                sys.exit(f"{a} vs {b}: '{k}': {str(ma.get(k))[:200]} vs {str(mb.get(k))[:200]}")
    print(f"equal histories: {a} and {b} ({len(ma.get('history', []))} epochs)")


if __name__ == "__main__":
    {"checkpoints": checkpoints, "metrics": metrics}[sys.argv[1]](sys.argv[2], sys.argv[3])
