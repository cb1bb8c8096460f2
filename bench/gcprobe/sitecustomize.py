"""Garbage-collection pauses of a server process, written as it runs (only with BENCH_GC_LOG set).

The load scenarios put this folder on the server's PYTHONPATH with ``--gc-log``:
Python imports ``sitecustomize`` at start-up, and this one records every
collection of generation 1 and 2 (time, generation, milliseconds, objects
collected, objects frozen) to the file BENCH_GC_LOG names. Generation 0
collections are counted and timed in total, one line per second.

With BENCH_GC_CENSUS=N as well, every Nth young collection keeps what it found
unreachable (gc.DEBUG_SAVEALL for that one collection), writes the most common
types of that cyclic garbage and the functions of the frames in it, and lets
it go again: which objects the process leaves to the cycle collector, and where. The census itself costs time; use it to find
cycles, not to measure pauses.
"""
import os

_path = os.environ.get("BENCH_GC_LOG")
if _path:
    import collections
    import gc
    import time

    _census_every = int(os.environ.get("BENCH_GC_CENSUS", "0") or 0)
    _state = {"start": 0.0, "young": 0, "young_ms": 0.0, "flushed": time.monotonic(), "seen": 0, "census": False}
    _log = open(_path, "a", buffering=1)

    def _census() -> None:
        kinds = collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
        total = len(gc.garbage)
        frames = collections.Counter(
            f"{'/'.join(o.f_code.co_filename.split('/')[-2:])}:{o.f_code.co_name}"
            for o in gc.garbage if type(o).__name__ == "frame")
        gc.set_debug(0)
        gc.garbage.clear()  # unreachable again: the next collection frees it as usual
        top = " ".join(f"{name}={count}" for name, count in kinds.most_common(15))
        _log.write(f"{time.time():.3f} census {total} {top}\n")
        if frames:  # the functions whose frames are in that garbage: where the cycles are made
            top_frames = " ".join(f"{name}={count}" for name, count in frames.most_common(12))
            _log.write(f"{time.time():.3f} census-frames {top_frames}\n")

    def _callback(phase, info):
        now = time.perf_counter()
        generation = info.get("generation", 0)
        if phase == "start":
            _state["start"] = now
            if _census_every and generation == 0 and not _state["census"]:
                _state["seen"] += 1
                if _state["seen"] % _census_every == 0 and gc.get_freeze_count():  # the serving process only
                    _state["census"] = True
                    gc.set_debug(gc.DEBUG_SAVEALL)
            return
        ms = (now - _state["start"]) * 1000
        if _state["census"]:
            _state["census"] = False
            _census()
        wall = time.time()
        if generation == 0:
            _state["young"] += 1
            _state["young_ms"] += ms
            if time.monotonic() - _state["flushed"] >= 1.0:
                _log.write(f"{wall:.3f} young {_state['young']} {_state['young_ms']:.2f}\n")
                _state.update(young=0, young_ms=0.0, flushed=time.monotonic())
        else:
            _log.write(f"{wall:.3f} gen{generation} 1 {ms:.2f} collected={info.get('collected', 0)} "
                       f"frozen={gc.get_freeze_count()}\n")

    gc.callbacks.append(_callback)
