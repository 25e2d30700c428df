"""ParaView opens the XDMF file LEAP writes beside a dataset (run by pvpython; ctest skips it where
ParaView is not installed).

    pvpython xdmf_paraview.py DIR     (DIR/small.xdmf, written by test_xdmf)

With ParaView's XDMF Reader (the reader for HyperSlab DataItems, see include/leap/data/xdmf.h):
the time steps are the file's times, the point arrays are the fields (a, v_x, v_y), each trajectory a
block, and the value ParaView shows at every point of every frame is the one test_xdmf's fill()
wrote for the cell at that point's coordinates (ParaView's X is The Well's y, its Y The Well's x):
value = 100000 trajectory + 1000 step + offset + k, k = (i ny + j) components + c, offset 0 for a,
nx ny for v. Exit status 1 on a difference.
"""
import math
import os
import sys

from paraview import servermanager
from paraview.simple import XDMFReader
from vtkmodules.numpy_interface import dataset_adapter as dsa

NX, NY, TIMES = 6, 5, [0.0, 0.25, 0.5]


def main():
    path = os.path.abspath(os.path.join(sys.argv[1], "small.xdmf"))
    problems = []
    reader = XDMFReader(FileNames=[path])
    reader.UpdatePipelineInformation()
    times = [float(t) for t in reader.TimestepValues]
    if times != TIMES:
        problems.append(f"time steps {times}, expected {TIMES}")
    names = sorted(reader.PointData.keys())
    if names != ["a", "v_x", "v_y"]:
        problems.append(f"point arrays {names}, expected a, v_x, v_y")
    for step, t in enumerate(TIMES):
        reader.UpdatePipeline(t)
        data = servermanager.Fetch(reader)
        it = data.NewIterator()
        it.InitTraversal()
        blocks = 0
        while not it.IsDoneWithTraversal():
            name = it.GetCurrentMetaData().Get(data.NAME())
            traj = int(name.rsplit("_", 1)[1])
            grid = it.GetCurrentDataObject()
            blocks += 1
            if tuple(grid.GetDimensions()) != (NY, NX, 1):
                problems.append(f"{name} step {step}: dimensions {grid.GetDimensions()}, expected ({NY}, {NX}, 1)")
                it.GoToNextItem()
                continue
            arrays = dsa.WrapDataObject(grid).PointData
            for p in range(grid.GetNumberOfPoints()):
                x_vtk, y_vtk, _ = grid.GetPoint(p)
                i = round(y_vtk * NX - 0.5)  # The Well's x: ParaView's Y
                j = round(x_vtk * NY - 0.5)  # The Well's y: ParaView's X
                base = 100000 * traj + 1000 * step
                want = {"a": base + i * NY + j, "v_x": base + NX * NY + 2 * (i * NY + j),
                        "v_y": base + NX * NY + 2 * (i * NY + j) + 1}
                for field, value in want.items():
                    got = float(arrays[field][p])
                    if not math.isclose(got, value):
                        problems.append(f"{name} step {step} point {p} at ({x_vtk:.3f}, {y_vtk:.3f}): "
                                        f"{field} = {got}, expected {value}")
            it.GoToNextItem()
        if blocks != 2:
            problems.append(f"step {step}: {blocks} blocks, expected 2 trajectories")
    for p in problems[:20]:
        print("FAIL:", p)
    print(f"ParaView {servermanager.vtkSMProxyManager.GetParaViewSourceVersion()}: "
          f"{'ok' if not problems else f'{len(problems)} problems'} ({len(TIMES)} steps, fields {names})")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
