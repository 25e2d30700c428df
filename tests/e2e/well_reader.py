"""The Well's own reader (the_well.data.WellDataset, PyPI `the-well`) on LEAP's datasets.

usage: well_reader.py KIND=COLLECTION ...

Every directory LEAP writes data into is a collection in The Well's layout: COLLECTION/<dataset_name>/
data/{train,valid,test}/*.hdf5 + COLLECTION/<dataset_name>/stats.yaml. For each dataset and each split
present, the reader is built on the split directory and every sample it returns is compared with the
file's own values read with h5py:
  * full_trajectory_mode: one sample per trajectory, input + output frames == the whole trajectory
    (every field, every component, channel order t0 then t1 then t2 fields), the constant scalars,
    the space and time grids and the boundary codes;
  * windows of 2 input + 1 output frames: the number of samples and every window's values;
  * the Well's canonical call (path=DATASET, well_split_name=SPLIT reads DATASET/data/SPLIT and
    DATASET/stats.yaml) gives the same samples;
  * use_normalization=True with the Well's ZScoreNormalization and RMSNormalization, built from
    LEAP's stats.yaml: the reader's normalised values equal (x - mean) / std and x / rms.
Field names and the number of channels are compared with the file (the channel count independently
from the stored arrays' shapes). Any difference fails (exit 1). One line per dataset kind.
"""
import glob
import itertools
import os
import sys

import h5py
import numpy as np
import torch
import yaml
from the_well.data import WellDataset
from the_well.data.datasets import BoundaryCondition
from the_well.data.normalization import RMSNormalization, ZScoreNormalization
from the_well.data.utils import flatten_field_names

SPLITS = ("train", "valid", "test")
MIN_DENOM = 1e-4  # the Well's normalisers clip std / rms to this


def s(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def read_file(path):
    """Everything the reader should return for one file, read with h5py only."""
    with h5py.File(path, "r") as f:
        dims = [s(d) for d in f["dimensions"].attrs["spatial_dims"]]
        coords = [np.asarray(f["dimensions"][d][:]) for d in dims]
        time = np.asarray(f["dimensions"]["time"][:])
        ntraj = int(f.attrs["n_trajectories"])
        nd = int(f.attrs["n_spatial_dims"])
        assert nd == len(dims), (path, nd, dims)
        names, core, arrays = [], [], []
        for order in range(3):
            g = f[f"t{order}_fields"]
            for name in [s(n) for n in g.attrs["field_names"]]:
                d = g[name]
                assert bool(d.attrs["time_varying"]) and bool(d.attrs["sample_varying"]), (path, name)
                a = np.asarray(d[:])
                # [trajectory, time, x, y(, component...)]: the trailing axes are the tensor components
                assert a.shape[:2 + nd] == (ntraj, len(time), *map(len, coords)), (path, name, a.shape)
                assert a.shape[2 + nd:] == (nd,) * order, (path, name, a.shape)
                assert a.dtype == np.float32, (path, name, a.dtype)
                comps = ["".join(c) for c in itertools.product(dims, repeat=order)]
                names += [f"{name}_{c}" if c else name for c in comps]
                core.append((name, len(comps)))
                arrays.append(a.reshape(*a.shape[:2 + nd], -1))
        fields = np.concatenate(arrays, axis=-1)  # [trajectory, time, x, y, channel]
        scal = [s(n) for n in f["scalars"].attrs["field_names"]]
        const_scalars = []
        for n in scal:
            d = f["scalars"][n]
            assert not d.attrs["time_varying"] and not d.attrs["sample_varying"], (path, n)
            v = np.asarray(d[()])
            assert v.size == 1, (path, n, v.shape)  # the Well's data format: float32(1) (or a 0-d dataset)
            const_scalars.append(float(v.ravel()[0]))
        bcs = {}
        for b in f["boundary_conditions"].values():
            for d in b.attrs["associated_dims"]:
                bcs[s(d)] = s(b.attrs["bc_type"]).upper()
        return dict(name=s(f.attrs["dataset_name"]), dims=dims, coords=coords, time=time, ntraj=ntraj,
                    names=names, core=core, fields=fields, scalars=np.array(const_scalars), bcs=bcs)


def maxdiff(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def check_split(kind, root, split, stats):
    files = sorted(glob.glob(os.path.join(root, "data", split, "*.hdf5")) +
                   glob.glob(os.path.join(root, "data", split, "*.h5")))
    ref = [read_file(p) for p in files]
    T = min(r["time"].shape[0] for r in ref)
    ntraj = sum(r["ntraj"] for r in ref)
    assert all(r["names"] == ref[0]["names"] for r in ref), f"{kind}/{split}: files differ in fields"
    allv = np.concatenate([r["fields"].ravel() for r in ref])
    assert np.all(np.isfinite(allv)) and float(np.std(allv)) > 0, f"{kind}/{split}: constant or non-finite data"
    path = os.path.join(root, "data", split)
    common = dict(path=path, normalization_path=os.path.abspath(os.path.join(root, "stats.yaml")),
                  use_normalization=False, max_rollout_steps=10**6)

    # Whole trajectories.
    ds = WellDataset(n_steps_input=1, full_trajectory_mode=True, **common)
    names = flatten_field_names(ds.metadata)
    assert names == ref[0]["names"], f"{kind}/{split}: reader's fields {names}, the file's {ref[0]['names']}"
    assert ds.metadata.dataset_name == ref[0]["name"], (ds.metadata.dataset_name, ref[0]["name"])
    assert len(ds) == ntraj, f"{kind}/{split}: reader has {len(ds)} trajectories, the files {ntraj}"
    worst, shape, k = 0.0, None, 0
    for r in ref:
        for j in range(r["ntraj"]):
            smp = ds[k]
            k += 1
            x = torch.cat([smp["input_fields"], smp["output_fields"]], 0).numpy()
            assert x.dtype == np.float32, x.dtype
            shape = list(x.shape)
            worst = max(worst, maxdiff(x, r["fields"][j, :T]))
            if r["scalars"].size:
                cs = smp["constant_scalars"].numpy()
                assert cs.size == r["scalars"].size, (cs.shape, r["scalars"])
                worst = max(worst, maxdiff(cs.ravel(), r["scalars"]))
            else:
                assert "constant_scalars" not in smp, smp.keys()
            grid = np.stack(np.meshgrid(*r["coords"], indexing="ij"), -1)
            assert maxdiff(smp["space_grid"].numpy(), grid) == 0, f"{kind}/{split}: space grid"
            t = torch.cat([smp["input_time_grid"], smp["output_time_grid"]]).numpy()
            assert maxdiff(t, r["time"][:T] - r["time"][:T].min()) <= 1e-6, f"{kind}/{split}: time grid"
            codes = [[BoundaryCondition[r["bcs"].get(d, "OPEN")].value] * 2 for d in r["dims"]]
            assert maxdiff(smp["boundary_conditions"].numpy(), codes) == 0, \
                f"{kind}/{split}: boundary codes {smp['boundary_conditions'].tolist()}, file {r['bcs']}"
    assert worst == 0.0, f"{kind}/{split}: the reader's values differ from the file's by {worst}"

    # Windows: 2 input frames, 1 output frame, every window of every trajectory.
    nwin = 0
    if T >= 3:
        dw = WellDataset(n_steps_input=2, n_steps_output=1, **common)
        per = [(r, j, t0) for r in ref for j in range(r["ntraj"]) for t0 in range(r["time"].shape[0] - 2)]
        assert len(dw) == len(per), f"{kind}/{split}: {len(dw)} windows, expected {len(per)}"
        for i, (r, j, t0) in enumerate(per):
            smp = dw[i]
            worst = max(worst, maxdiff(smp["input_fields"].numpy(), r["fields"][j, t0:t0 + 2]))
            worst = max(worst, maxdiff(smp["output_fields"].numpy(), r["fields"][j, t0 + 2:t0 + 3]))
        nwin = len(dw)
        assert worst == 0.0, f"{kind}/{split}: windows differ from the file's by {worst}"

    # stats.yaml holds the training split's statistics per component (what the normalisers divide by).
    if split == "train":
        x = np.concatenate([r["fields"].reshape(-1, r["fields"].shape[-1]) for r in ref]).astype(np.float64)
        d = np.concatenate([np.diff(r["fields"].astype(np.float64), axis=1).reshape(-1, r["fields"].shape[-1])
                            for r in ref])
        got = {"mean": x.mean(0), "std": x.std(0), "rms": np.sqrt((x * x).mean(0)),
               "mean_delta": d.mean(0), "std_delta": d.std(0), "rms_delta": np.sqrt((d * d).mean(0))}
        for key, want in got.items():
            assert key in stats, f"{kind}: stats.yaml lacks {key}"
            have = np.concatenate([np.broadcast_to(np.asarray(stats[key][name], dtype=np.float64), (nc,))
                                   for name, nc in ref[0]["core"]])
            tol = 1e-4 * np.abs(want) + 1e-6 * (np.sqrt((x * x).mean(0)) + 1e-30)
            assert np.all(np.abs(have - want) <= tol), f"{kind}: stats.yaml {key} {have.tolist()}, the data's {want.tolist()}"

    # Normalisation with LEAP's stats.yaml (dn: the last one, RMS, is used again below).
    norm = []
    for cls, keys in ((ZScoreNormalization, ("mean", "std")), (RMSNormalization, ("rms",))):
        dn = WellDataset(n_steps_input=1, full_trajectory_mode=True,
                         normalization_type=cls, **{**common, "use_normalization": True})
        assert dn.norm is not None
        vec = {}
        for key in keys:
            v = [np.broadcast_to(np.asarray(stats[key][name], dtype=np.float64), (nc,)) for name, nc in ref[0]["core"]]
            vec[key] = np.concatenate(v)
        shift = vec["mean"] if "mean" in vec else 0.0
        scale = np.maximum(vec["std"] if "std" in vec else vec["rms"], MIN_DENOM)
        err, k = 0.0, 0
        for r in ref:
            for j in range(r["ntraj"]):
                smp = dn[k]
                k += 1
                x = torch.cat([smp["input_fields"], smp["output_fields"]], 0).numpy().astype(np.float64)
                want = (r["fields"][j, :T].astype(np.float64) - shift) / scale
                err = max(err, float(np.max(np.abs(x - want) / (1 + np.abs(want)))))
        assert err < 1e-5, f"{kind}/{split}: {cls.__name__} differs from (x - mean) / std by {err}"
        # and the normalised data differ from the raw data (the statistics were applied)
        assert maxdiff(x, r["fields"][j, :T]) > 1e-3, f"{kind}/{split}: {cls.__name__} changed nothing"
        norm.append(f"{cls.__name__[:-13]} {err:.1e}")

    # The Well's canonical call: path=DATASET, well_split_name=SPLIT reads DATASET/data/SPLIT with
    # DATASET/stats.yaml: the same samples.
    dv = WellDataset(path=root, well_split_name=split, n_steps_input=1, full_trajectory_mode=True,
                     max_rollout_steps=10**6, use_normalization=True, normalization_type=RMSNormalization)
    assert os.path.samefile(dv.normalization_path, os.path.join(root, "stats.yaml")), dv.normalization_path
    assert len(dv) == len(dn), (len(dv), len(dn))
    for i in range(len(dv)):
        assert torch.equal(dv[i]["input_fields"], dn[i]["input_fields"]) and \
               torch.equal(dv[i]["output_fields"], dn[i]["output_fields"]), f"{kind}: the canonical call differs"
    layout = "data/"

    return dict(files=len(files), ntraj=ntraj, shape=shape, names=names, worst=worst, nwin=nwin, layout=layout,
                norm=norm, name=ref[0]["name"], bcs=ref[0]["bcs"])


def main():
    kinds = [a.split("=", 1) for a in sys.argv[1:]]
    assert kinds, __doc__
    for kind, coll in kinds:
        # Every directory LEAP writes data into is a collection: one dataset per dataset_name.
        datasets = sorted(d for d in glob.glob(os.path.join(coll, "*")) if os.path.isdir(os.path.join(d, "data")))
        assert datasets, f"{kind}: no dataset (<name>/data/) under {coll}"
        for root in datasets:
            name = os.path.basename(root)
            splits = [sp for sp in SPLITS if glob.glob(os.path.join(root, "data", sp, "*.hdf5"))]
            assert splits, f"{kind}: no split directory with HDF5 files under {root}/data"
            with open(os.path.join(root, "stats.yaml")) as f:
                stats = yaml.safe_load(f)
            rs = [check_split(kind, root, sp, stats) for sp in splits]
            assert all(r["name"] == name for r in rs), f"{kind}: {root} holds dataset {rs[0]['name']}"
            shapes = sorted({str(r["shape"]) for r in rs})
            print(f"{kind}/{name}: WellDataset(path=DATASET, well_split_name={{{','.join(splits)}}}) and on each "
                  f"split directory, full_trajectory_mode and 2+1-frame windows: {sum(r['ntraj'] for r in rs)} "
                  f"trajectories of {' / '.join(shapes)} ({', '.join(rs[0]['names'])}), {sum(r['nwin'] for r in rs)} "
                  f"windows, max |reader - h5py| = {max(r['worst'] for r in rs):g}; normalised "
                  f"({', '.join(rs[0]['norm'])}) as DATASET/stats.yaml says")
    print("the_well reader: all checks passed")


if __name__ == "__main__":
    main()
