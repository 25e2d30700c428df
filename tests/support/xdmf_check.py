#!/usr/bin/env python3
"""Checks the XDMF files LEAP writes beside its datasets, with h5py and xml.etree.

    xdmf_check.py DIR      every DIR/*.xdmf against the HDF5 file it names

For each NAME.xdmf: the root is <Xdmf Version="3.0">; every HDF5 reference is relative (a file name
beside the .xdmf), names an existing dataset, and gives its exact shape (Dimensions) and dtype
(NumberType/Precision); every HyperSlab's start/stride/count fits the dataset's shape, its
Dimensions hold the count and are the grid's; one temporal collection per trajectory, one grid per
frame, whose <Time> values are dimensions/time; every field (scalar, or each component of a vector)
an attribute of every grid. Then the grid is read as ParaView reads it (the coordinates' first item,
VX, varies fastest, data arrays are copied as they are) and the value at each point must be the
dataset's value at that point's coordinates (x, y from dimensions/) for this trajectory and frame:
the axis order and the slab's (trajectory, step) are right.

Before that, the checker checks itself: a wrong path, shape, dtype, slab, time value or axis order
written into a copy of small.xdmf must each be found. Exit status 1 on any problem.
"""
import copy
import glob
import os
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np

NUMBER_TYPES = {"f": "Float", "i": "Int", "u": "UInt"}


def ints(text):
    return [int(v) for v in text.split()]


class Checker:
    def __init__(self, xdmf_path, root):
        self.path = xdmf_path
        self.root = root
        self.base = os.path.dirname(os.path.abspath(xdmf_path))
        self.problems = []
        self.files = {}

    def problem(self, what):
        self.problems.append(f"{os.path.basename(self.path)}: {what}")

    def h5(self, name):
        if name not in self.files:
            self.files[name] = h5py.File(os.path.join(self.base, name), "r")
        return self.files[name]

    def close(self):
        for f in self.files.values():
            f.close()

    # A Format="HDF" DataItem: the dataset, checked against Dimensions / NumberType / Precision.
    def hdf_item(self, item):
        ref = (item.text or "").strip()
        if ":" not in ref:
            self.problem(f"HDF DataItem without FILE:/PATH: {ref!r}")
            return None
        name, path = ref.split(":", 1)
        if os.path.isabs(name) or os.sep in name:
            self.problem(f"HDF5 file not relative to the .xdmf: {name}")
            return None
        if not os.path.isfile(os.path.join(self.base, name)):
            self.problem(f"no file {name} beside the .xdmf")
            return None
        f = self.h5(name)
        if path not in f or not isinstance(f[path], h5py.Dataset):
            self.problem(f"{name} has no dataset {path}")
            return None
        d = f[path]
        if ints(item.get("Dimensions", "")) != list(d.shape):
            self.problem(f"{path}: Dimensions {item.get('Dimensions')} but the dataset is {list(d.shape)}")
        want_type = NUMBER_TYPES.get(d.dtype.kind, "?")
        if d.dtype.kind in "iu" and d.dtype.itemsize == 1:
            want_type = "UChar" if d.dtype.kind == "u" else "Char"
        if item.get("NumberType", "Float") != want_type or int(item.get("Precision", "4")) != d.dtype.itemsize:
            self.problem(f"{path}: NumberType {item.get('NumberType')} Precision {item.get('Precision')} "
                         f"but the dataset is {d.dtype}")
        return d

    # Any DataItem: its values as ParaView gets them (flat, in order), or None after a problem.
    def values(self, item):
        kind = item.get("ItemType", "Uniform")
        fmt = item.get("Format", "XML")
        if kind == "HyperSlab":
            children = item.findall("DataItem")
            if len(children) != 2:
                self.problem("HyperSlab without its 2 DataItems")
                return None
            d = self.hdf_item(children[1])
            if d is None:
                return None
            sel = ints(children[0].text)
            r = len(d.shape)
            if ints(children[0].get("Dimensions", "")) != [3, r] or len(sel) != 3 * r:
                self.problem(f"{d.name}: HyperSlab selection is not 3 x {r}")
                return None
            start, stride, count = sel[:r], sel[r:2 * r], sel[2 * r:]
            for a in range(r):
                if count[a] < 1 or stride[a] < 1 or start[a] < 0 or start[a] + (count[a] - 1) * stride[a] >= d.shape[a]:
                    self.problem(f"{d.name}: HyperSlab start {start} stride {stride} count {count} "
                                 f"outside the shape {list(d.shape)}")
                    return None
            if int(np.prod(ints(item.get("Dimensions", "")))) != int(np.prod(count)):
                self.problem(f"{d.name}: HyperSlab Dimensions {item.get('Dimensions')} do not hold its count {count}")
            index = tuple(slice(s, s + (c - 1) * t + 1, t) for s, c, t in zip(start, count, stride))
            return np.asarray(d[index]).ravel()
        if fmt == "HDF":
            d = self.hdf_item(item)
            return None if d is None else np.asarray(d[()]).ravel()
        return np.array([float(v) for v in item.text.split()])

    def check(self):
        root = self.root
        if root.tag != "Xdmf" or root.get("Version") != "3.0":
            self.problem(f"root <{root.tag} Version={root.get('Version')}>, expected <Xdmf Version=\"3.0\">")
        collections = root.findall("./Domain/Grid")
        h5names = {(i.text or "").split(":", 1)[0] for i in root.iter("DataItem") if i.get("Format") == "HDF"}
        if len(h5names) != 1:
            self.problem(f"expected references to one HDF5 file, found {sorted(h5names)}")
            return
        name = h5names.pop()
        if not os.path.isfile(os.path.join(self.base, name)):
            self.problem(f"no file {name} beside the .xdmf")
            return
        f = self.h5(name)
        time = np.asarray(f["dimensions/time"][()])
        axes = [a.decode() if isinstance(a, bytes) else str(a) for a in f["dimensions"].attrs["spatial_dims"]]
        coords = {a: np.asarray(f["dimensions"][a][()]) for a in axes}
        n_traj = int(f.attrs["n_trajectories"])
        # The attributes a grid must have: each field, each component of a vector or tensor field.
        expected = {}
        for order in range(3):
            g = f.get(f"t{order}_fields")
            if g is None:
                continue
            for fname in g.attrs.get("field_names", []):
                fname = fname.decode() if isinstance(fname, bytes) else str(fname)
                d = g[fname]
                if order == 0:
                    expected[fname] = (d, ())
                elif order == 1:
                    for c, a in enumerate(axes):
                        expected[f"{fname}_{a}"] = (d, (c,))
                else:
                    for c, a in enumerate(axes):
                        for e, b in enumerate(axes):
                            expected[f"{fname}_{a}{b}"] = (d, (c, e))
        if len(collections) != n_traj:
            self.problem(f"{len(collections)} top-level grids for {n_traj} trajectories")
        for k, coll in enumerate(collections):
            if coll.get("GridType") != "Collection" or coll.get("CollectionType") != "Temporal":
                self.problem(f"grid {coll.get('Name')} is not a temporal collection")
            frames = coll.findall("Grid")
            steps = time.shape[-1]
            if len(frames) != steps:
                self.problem(f"trajectory {k}: {len(frames)} frames, dimensions/time has {steps}")
            for s, grid in enumerate(frames):
                self.check_grid(grid, k, s, time, axes, coords, expected)

    def check_grid(self, grid, k, s, time, axes, coords, expected):
        where = f"trajectory {k} frame {s}"
        t = grid.find("Time")
        want_t = time[k, s] if time.ndim == 2 else time[s]
        if t is None or time.dtype.type(float(t.get("Value"))) != want_t:
            self.problem(f"{where}: Time {None if t is None else t.get('Value')}, dimensions/time says {want_t!r}")
        topo = grid.find("Topology")
        geo = grid.find("Geometry")
        dims = ints(topo.get("Dimensions", ""))
        items = geo.findall("DataItem")
        xyz = [self.values(i) for i in items]
        if any(v is None for v in xyz):
            return
        # ParaView: the first coordinate array is X, the fastest index of the data; then Y, Z.
        if [len(v) for v in reversed(xyz)] != dims:
            self.problem(f"{where}: Topology Dimensions {dims} (slowest first) do not match the coordinates' "
                         f"sizes {[len(v) for v in xyz]} (fastest first)")
            return
        # Each point's position along The Well's axes: the file's last axis is X.
        well = list(reversed(xyz))[-len(axes):]  # coordinates in the file's axis order
        index = []
        for a, c in zip(axes, well):
            lookup = {float(v): i for i, v in enumerate(coords[a].ravel()[:len(c)])}
            if sorted(lookup) != sorted(float(v) for v in c) or len(c) != coords[a].shape[-1]:
                self.problem(f"{where}: the geometry's coordinates are not dimensions/{a}")
                return
            index.append([lookup[float(v)] for v in c])
        names = set()
        for attr in grid.findall("Attribute"):
            name = attr.get("Name")
            names.add(name)
            item = attr.find("DataItem")
            data = self.values(item)
            if data is None:
                continue
            if ints(item.get("Dimensions", "")) != dims:
                self.problem(f"{where}: {name}: Dimensions {item.get('Dimensions')} are not the grid's {dims}")
            if name not in expected:
                self.problem(f"{where}: attribute {name} is no field of the file")
                continue
            if data.size != int(np.prod(dims)):
                self.problem(f"{where}: {name} has {data.size} values for {int(np.prod(dims))} points")
                continue
            d, comp = expected[name]
            lead = []
            if d.attrs.get("sample_varying", True):
                lead.append(k)
            if d.attrs.get("time_varying", True):
                lead.append(s)
            frame = np.asarray(d[tuple(lead)])
            if comp:
                frame = frame[(Ellipsis,) + comp]
            # The value ParaView puts at grid point p (X fastest) must be the file's value at the
            # cell whose coordinates that point has.
            mesh = np.meshgrid(*index, indexing="ij")  # file axis order
            want = frame[tuple(m.ravel() for m in mesh)]
            got = data.reshape([len(i) for i in index]).ravel()
            if not np.array_equal(got, want):
                self.problem(f"{where}: {name}: the values are not at their points' coordinates "
                             f"(axis order or slab wrong)")
        missing = set(expected) - names
        if missing:
            self.problem(f"{where}: fields without an attribute: {sorted(missing)}")


def check_file(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return [f"{path}: not XML: {e}"]
    c = Checker(path, root)
    try:
        c.check()
    finally:
        c.close()
    return c.problems


def self_test(path):
    """Every fault written into a copy of `path` must be found."""
    tree = ET.parse(path)

    def field_ref(r):  # the first HDF reference to a field
        return next(i for i in r.iter("DataItem") if i.get("Format") == "HDF" and "_fields/" in (i.text or ""))

    def selection(r):  # the first HyperSlab's start/stride/count
        return next(i for i in r.iter("DataItem") if i.get("ItemType") == "HyperSlab").find("DataItem")

    def frame(r):  # the first uniform grid
        return next(g for g in r.iter("Grid") if g.get("GridType") == "Uniform")

    def typo(r):
        field_ref(r).text += "_typo"

    def absolute(r):
        field_ref(r).text = "/abs/" + field_ref(r).text

    def shape(r):
        field_ref(r).set("Dimensions", "9 " + field_ref(r).get("Dimensions"))

    def start(r):
        sel = selection(r).text.split()
        selection(r).text = " ".join(["1"] + sel[1:])

    def step(r):  # the second frame's slab reads the first frame
        g = [g for g in r.iter("Grid") if g.get("GridType") == "Uniform"][1]
        sel = g.find("Attribute").find("DataItem").find("DataItem")
        v = sel.text.split()
        v[1] = "0"
        sel.text = " ".join(v)

    def swap_axes(r):
        g = frame(r).find("Geometry")
        a, b = g[0], g[1]
        g.remove(a)
        g.remove(b)
        g.insert(0, a)
        g.insert(0, b)

    faults = {
        "path": typo,
        "absolute file": absolute,
        "shape": shape,
        "precision": lambda r: field_ref(r).set("Precision", "8"),
        "number type": lambda r: field_ref(r).set("NumberType", "Int"),
        "slab start": start,
        "slab step": step,
        "slab count": lambda r: next(i for i in r.iter("DataItem") if i.get("ItemType") == "HyperSlab")
        .set("Dimensions", "1 1 1 1"),
        "time": lambda r: next(r.iter("Time")).set("Value", "123.5"),
        "axis order": swap_axes,
        "dropped field": lambda r: frame(r).remove(frame(r).find("Attribute")),
    }
    failures = []
    base = os.path.dirname(os.path.abspath(path))
    for what, fault in faults.items():
        t = copy.deepcopy(tree)
        fault(t.getroot())
        out = os.path.join(base, f"selftest_{what.replace(' ', '_')}.xdmf.tmp")
        t.write(out)
        try:
            if not check_file(out):
                failures.append(f"self-test: a wrong {what} went unnoticed")
        except Exception as e:  # a crash is no finding either
            failures.append(f"self-test: a wrong {what} crashed the checker: {e!r}")
        finally:
            os.remove(out)
    return failures


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.xdmf")))
    if not files:
        sys.exit(f"no .xdmf files in {sys.argv[1]}")
    # A 2-D file with nx != ny and several trajectories and frames shows every fault.
    small = [f for f in files if os.path.basename(f) == "small.xdmf"]
    problems = self_test((small or files)[0])
    for path in files:
        found = check_file(path)
        print(f"{os.path.basename(path)}: {'ok' if not found else f'{len(found)} problems'}")
        problems += found
    for p in problems:
        print("FAIL:", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
