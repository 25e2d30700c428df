"""Fixtures in The Well's published schema, for LEAP's reader (test_well_schema, e2e_well_schema).

usage: well_fixtures.py OUT

Writes, under OUT:
  dummy/data/{train,valid}/dummy.hdf5  The Well's own test file, twice (other random values) (the_well.utils.dummy_data): an empty
                                        t2_fields group whose field_names is an empty float array, a
                                        field constant in time shaped [trajectory, x, y], a t1 field,
                                        a time-varying scalar, boundary groups with (all-false) masks
                                        and associated_dims stored as one string;
  mixed/data/train/mixed.hdf5           written here with h5py to the schema: float64 fields, a field
                                        that varies along x only (stored [.., x, 1]), one constant in
                                        time and across trajectories ([x, y]), a t2 field [.., 2, 2],
                                        scalars (constant, time-varying, per trajectory), a
                                        sample-varying time grid, and per-side boundary masks (x: wall
                                        below, open above; y: periodic);
  expected.json                         for each file: dataset name, channel names in LEAP's order
                                        (t0, t1, t2 fields in file order, components x..), the
                                        boundary type of each axis side as The Well's own reader
                                        (WellDataset, boundary_return_type="padding") decides it, the
                                        scalars' values, and a few frames [channel][x][y] computed
                                        here with numpy (broadcast over non-varying axes).
No stats.yaml is written: LEAP computes the statistics of such datasets itself.
"""
import itertools
import json
import os
import shutil
import sys

import h5py
import numpy as np
from the_well.data import WellDataset
from the_well.data.datasets import BoundaryCondition
from the_well.utils.dummy_data import write_dummy_data


def s(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def write_mixed(path):
    rng = np.random.default_rng(7)
    N, T, X, Y = 2, 5, 6, 4
    with h5py.File(path, "w") as f:
        f.attrs["dataset_name"] = "mixed_fixture"
        f.attrs["grid_type"] = "cartesian"
        f.attrs["n_spatial_dims"] = 2
        f.attrs["n_trajectories"] = N
        f.attrs["simulation_parameters"] = ["nu"]
        f.attrs["nu"] = 0.01
        d = f.create_group("dimensions")
        d.attrs["spatial_dims"] = ["x", "y"]
        t = d.create_dataset("time", data=np.stack([np.linspace(0, 1, T), np.linspace(0, 2, T)]).astype(np.float32))
        t.attrs["sample_varying"] = True
        for name, n in (("x", X), ("y", Y)):
            c = d.create_dataset(name, data=np.linspace(0, 1, n, dtype=np.float32))
            c.attrs["sample_varying"] = False
            c.attrs["time_varying"] = False
        b = f.create_group("boundary_conditions")
        for name, dims, kind, mask in (
            ("x_wall", "x", "WALL", [1, 0, 0, 0, 0, 0]),
            ("x_open", "x", "OPEN", [0, 0, 0, 0, 0, 1]),
            ("y_periodic", "y", "PERIODIC", [1, 0, 0, 1]),
        ):
            g = b.create_group(name)
            g.attrs["associated_dims"] = [dims]
            g.attrs["associated_fields"] = []
            g.attrs["bc_type"] = kind
            g.attrs["sample_varying"] = False
            g.attrs["time_varying"] = False
            g.create_dataset("mask", data=np.array(mask, dtype=bool))
        sc = f.create_group("scalars")
        sc.attrs["field_names"] = ["nu", "energy", "drive"]
        for name, data, sv, tv in (
            ("nu", np.array(0.01), False, False),
            ("energy", rng.random(T), False, True),
            ("drive", rng.random((N, T)), True, True),
        ):
            ds = sc.create_dataset(name, data=data)
            ds.attrs["sample_varying"] = sv
            ds.attrs["time_varying"] = tv

        def field(group, name, data, dv, sv, tv):
            ds = group.create_dataset(name, data=data)
            ds.attrs["dim_varying"] = dv
            ds.attrs["sample_varying"] = sv
            ds.attrs["time_varying"] = tv

        g0 = f.create_group("t0_fields")
        g0.attrs["field_names"] = ["density", "bathymetry", "profile"]
        field(g0, "density", rng.random((N, T, X, Y)), [True, True], True, True)  # float64
        field(g0, "bathymetry", rng.random((X, Y)).astype(np.float32), [True, True], False, False)
        field(g0, "profile", rng.random((N, T, X, 1)).astype(np.float32), [True, False], True, True)
        g1 = f.create_group("t1_fields")
        g1.attrs["field_names"] = ["velocity"]
        field(g1, "velocity", rng.random((N, T, X, Y, 2)).astype(np.float32), [True, True], True, True)
        g2 = f.create_group("t2_fields")
        g2.attrs["field_names"] = ["stress"]
        field(g2, "stress", rng.random((N, T, X, Y, 2, 2)), [True, True], True, True)  # float64


def expected_for(path, frames):
    """LEAP's channels and frames, computed from the file with numpy."""
    out = {"file": os.path.basename(path)}
    with h5py.File(path, "r") as f:
        dims = [s(d) for d in np.atleast_1d(f["dimensions"].attrs["spatial_dims"])]
        sizes = [f["dimensions"][d].shape[-1] for d in dims]
        out["dataset_name"] = s(f.attrs["dataset_name"])
        out["grid"] = sizes
        names, planes = [], {fr: [] for fr in frames}
        for order in range(3):
            g = f[f"t{order}_fields"]
            for name in [s(n) for n in g.attrs["field_names"]]:
                ds = g[name]
                a = np.asarray(ds[()], dtype=np.float64)
                for (traj, step) in frames:
                    v = a
                    if ds.attrs["sample_varying"]:
                        v = v[traj]
                    if ds.attrs["time_varying"]:
                        v = v[step]
                    v = np.broadcast_to(v, tuple(sizes) + v.shape[len(sizes):])
                    v = v.reshape(*sizes, -1).astype(np.float32)
                    for c in range(v.shape[-1]):
                        planes[(traj, step)].append(v[..., c].ravel().tolist())
                for comp in itertools.product(dims, repeat=order):
                    names.append(name + ("_" + "".join(comp) if comp else ""))
        out["channels"] = names
        out["frames"] = [{"trajectory": t, "step": st, "values": planes[(t, st)]} for (t, st) in frames]
        out["scalars"] = {s(n): np.asarray(f["scalars"][s(n)][()], dtype=np.float64).ravel().tolist()
                          for n in f["scalars"].attrs["field_names"]}
        out["times"] = np.asarray(f["dimensions"]["time"][()], dtype=np.float64).reshape(-1, f["dimensions"]["time"].shape[-1])[0].tolist()
    return out


def well_boundaries(root):
    """Each axis side's type as The Well's own reader decides it."""
    ds = WellDataset(path=root, well_split_name="train", use_normalization=False, n_steps_input=1,
                     n_steps_output=1, boundary_return_type="padding")
    bc = ds[0]["boundary_conditions"]
    return [[BoundaryCondition(int(v)).name.lower() for v in row] for row in bc.tolist()]


def main():
    out = sys.argv[1]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "dummy", "data", "train"))
    os.makedirs(os.path.join(out, "dummy", "data", "valid"))
    os.makedirs(os.path.join(out, "mixed", "data", "train"))
    dummy = os.path.join(out, "dummy", "data", "train", "dummy.hdf5")
    write_dummy_data(dummy)
    write_dummy_data(os.path.join(out, "dummy", "data", "valid", "dummy.hdf5"))  # other random values
    mixed = os.path.join(out, "mixed", "data", "train", "mixed.hdf5")
    write_mixed(mixed)
    exp = {
        "dummy": expected_for(dummy, [(0, 0), (1, 7)]),
        "mixed": expected_for(mixed, [(0, 0), (1, 3)]),
    }
    exp["dummy"]["path"] = dummy
    exp["mixed"]["path"] = mixed
    exp["dummy"]["boundaries"] = well_boundaries(os.path.join(out, "dummy"))
    exp["mixed"]["boundaries"] = well_boundaries(os.path.join(out, "mixed"))
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(exp, f)
    print("wrote", out, {k: (v["channels"], v["boundaries"]) for k, v in exp.items()})


if __name__ == "__main__":
    main()
