"""Computations release the GIL: another Python thread keeps running during a long Rust call."""
import threading

import fissure


def test_gil_released_during_psy(demo):
    s = demo["IXIC"]
    done = threading.Event()
    ticks = []

    def work():
        fissure.psy(s, freq="weekly", reps=300)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks.append(1)
        done.wait(0.001)
    t.join()
    # with the GIL held for the whole call the main thread could not run at all until the end
    assert len(ticks) > 20
