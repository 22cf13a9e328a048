import threading

from modelyard.settings import Settings
from modelyard.worker.scheduler import SchedulerLoop


def test_the_loop_ticks_survives_a_failing_tick_and_stops_cleanly():
    ticks: list[int] = []
    enough = threading.Event()

    def run_due() -> list[int]:
        ticks.append(len(ticks))
        if len(ticks) == 1:
            raise RuntimeError("database hiccup")  # logged; the next tick runs anyway
        if len(ticks) >= 3:
            enough.set()
        return [len(ticks)]

    loop = SchedulerLoop(run_due, interval_s=0.01)
    loop.start()
    assert enough.wait(5) and loop.is_running
    loop.stop()
    assert not loop.is_running
    stopped_at = len(ticks)
    assert not enough.wait(0.05) or len(ticks) == stopped_at


def test_scheduler_settings_have_defaults_and_read_the_environment(monkeypatch, tmp_path):
    assert Settings(home=tmp_path).scheduler.enabled is True
    assert Settings(home=tmp_path).scheduler.interval_s == 30.0
    monkeypatch.setenv("MODELYARD_SCHEDULER__ENABLED", "false")
    monkeypatch.setenv("MODELYARD_SCHEDULER__INTERVAL_S", "5")
    settings = Settings(home=tmp_path)
    assert settings.scheduler.enabled is False and settings.scheduler.interval_s == 5.0
