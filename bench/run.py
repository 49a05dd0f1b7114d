"""Skolebro load benchmark: whole intakes over Rasa's REST channel at several concurrencies.

    .venvs/app/bin/python bench/run.py                 # the full bench (about 11 minutes)
    .venvs/app/bin/python bench/run.py --quick         # a 2-minute smoke run
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venvs/app/bin/python bench/run.py --rasa-workers 2

It starts its own stack (scripts/stack.py) on free loopback ports with a fresh database (a
temporary SQLite folder, or a fresh PostgreSQL database beside DATABASE_URL), then measures:

- `rasa train` time (a forced training into a temporary folder) and the model's size;
- cold start: from launching the three processes to the first answer to "hej";
- single-user latency (one person, no think time) and NLU parse time (`/model/parse`);
- load levels (default 50, 200 and 600 simulated people): each person plays the intake as a
  parent or a pupil (free text, "ved ikke", a correction of the grade, the review) and waits
  5-15 s between messages; each level runs for a bounded time (default 45 s). Per level:
  p50/p95/p99 latency per turn, turns/s, errors, CPU and memory of every process;
- a ramp: more and more people with a short think time until p95 reaches 300 ms, giving the
  highest turn rate held at p95 < 300 ms;
- the same levels against a bare Rasa assistant (bench/bare: same NLU pipeline, rules and
  responses only, no custom actions), reported as ratios. Both stacks run side by side and
  take turns (the single users message by message, the levels level by level), so that a slow
  spell of a shared machine falls on both; the ramp runs after the bare stack has stopped.

Results: a table on stdout, bench/results/bench-<timestamp>.json and .png. Timings on a busy
machine (other test runs, the load generator itself on the same two cores) are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
BARE = BENCH / "bare"
sys.path.insert(0, str(ROOT / "scripts"))

import stack as stack_mod  # noqa: E402

TARGET_P95_MS = 300.0
TARGET_CPU_RATIO = 1.25  # per-turn CPU of the whole stack against bare Rasa in the same run

# What people type, by question key; questions not listed get a button or a generic answer.
TYPED = {
    "parent": {
        "child_name": ["Emma", "Noah", "Sofie", "Ali", "Freja"],
        "grade": ["4. klasse", "7", "tredje", "8. kl"],
        "school": ["nordskolne", "Åbyskolen", "Nordskolen"],
        "contact": ["22 33 44 55", "mor@example.dk"],
        "days_last_month": ["ca. 6 dage", "3", "en uge"],
    },
    "pupil": {
        "child_name": ["Ali", "Maja", "Oliver"],
        "grade": ["8. klasse", "9", "syvende"],
        "school": ["Søndervangskolen", "nordskolen"],
        "contact": ["22 33 44 55"],
        "days_last_month": ["mange", "4 dage", "ved ikke"],
    },
}
FREE_TEXT = [
    "Hun bliver drillet i frikvartererne og har ondt i maven om morgenen",
    "Der er meget larm i klassen, og han kan ikke koncentrere sig",
    "Jeg har ingen at være sammen med i frikvarteret",
    "Vi er flyttet for et halvt år siden og det har været svært",
    "Han sover dårligt og er træt hele tiden",
    "Matematik er alt for svært og læreren råber",
    "Det ved jeg ikke så meget om",
]
# The bare assistant has no questionnaire: the same kind of messages in a fixed order.
BARE_SCRIPT = [
    "hej",
    "/affirm",
    "jeg er forælder",
    "Emma",
    "4. klasse",
    "jeg vil rette klassetrinnet",
    "5. klasse",
    "nordskolen",
    "ved ikke",
    *FREE_TEXT,
    "3",
    "tit",
    "ved ikke",
    "sjældent",
]


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


@dataclass
class Recorder:
    latencies_ms: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)
    errors: int = 0
    error_examples: list[str] = field(default_factory=list)
    intakes_completed: int = 0
    corrections: int = 0
    dont_knows: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (end, latency ms)

    def add(self, latency_ms: float, error: str | None, kind: str = "other") -> None:
        self.ends.append(time.monotonic())
        if error is None:
            self.latencies_ms.append(latency_ms)
            self.timeline.append((self.ends[-1], latency_ms))
            self.by_kind.setdefault(kind, []).append(latency_ms)
        else:
            self.errors += 1
            if len(self.error_examples) < 5:
                self.error_examples.append(error)

    def summary(self, started: float, ended: float) -> dict[str, Any]:
        window = max(0.001, ended - started)
        in_window = sum(1 for t in self.ends if started <= t <= ended)
        return {
            "turns": len(self.latencies_ms) + self.errors,
            "turns_per_s": round(in_window / window, 2),
            "p50_ms": pct(self.latencies_ms, 50),
            "p95_ms": pct(self.latencies_ms, 95),
            "p99_ms": pct(self.latencies_ms, 99),
            "max_ms": round(max(self.latencies_ms), 1) if self.latencies_ms else None,
            "errors": self.errors,
            "error_examples": self.error_examples,
            "intakes_completed": self.intakes_completed,
            "corrections": self.corrections,
            "dont_knows": self.dont_knows,
            "p50_ms_by_kind": {k: pct(v, 50) for k, v in sorted(self.by_kind.items())},
            # Whether a level's latency is a steady state or a backlog that builds up.
            "p95_ms_by_10s": self._windows(started, ended, 10.0),
        }

    def _windows(self, started: float, ended: float, step: float) -> list[float | None]:
        buckets: list[list[float]] = [[] for _ in range(max(1, int((ended - started) // step) + 1))]
        for end, latency in self.timeline:
            if started <= end <= ended:
                buckets[min(len(buckets) - 1, int((end - started) // step))].append(latency)
        return [pct(b, 95) for b in buckets]


class Alternation:
    """Players that take turns message by message (Skolebro, bare Rasa, Skolebro, ...).

    A shared machine has slow spells of seconds to minutes; measured one after the other, one
    system met them and the other did not, and the ratio of the two said more about the spell
    than about the systems. Taking turns, both meet the same spells."""

    def __init__(self, players: int) -> None:
        self.players = players
        self.current = 0
        self.finished: set[int] = set()
        self.cond = asyncio.Condition()

    async def take(self, player: int) -> None:
        async with self.cond:
            await self.cond.wait_for(lambda: self.current == player)

    async def give(self, player: int, finished: bool = False) -> None:
        async with self.cond:
            if finished:
                self.finished.add(player)
            for step in range(1, self.players + 1):
                nxt = (player + step) % self.players
                if nxt not in self.finished:
                    self.current = nxt
                    break
            self.cond.notify_all()


class Person:
    """One parent or pupil chatting over REST, answering what the bot asks."""

    def __init__(
        self,
        client: aiohttp.ClientSession,
        rasa_url: str,
        rec: Recorder,
        rng: random.Random,
        turns: tuple[Alternation, int] | None = None,
    ) -> None:
        self.client = client
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.rec = rec
        self.rng = rng
        self.sender = f"bench-{uuid.uuid4().hex[:12]}"
        self.turns = turns

    async def say(self, message: str, kind: str = "other") -> list[dict[str, Any]] | None:
        if self.turns is None:
            return await self._say(message, kind)
        alternation, player = self.turns
        await alternation.take(player)
        try:
            return await self._say(message, kind)
        finally:
            await alternation.give(player)

    async def _say(self, message: str, kind: str) -> list[dict[str, Any]] | None:
        started = time.perf_counter()
        error = None
        replies = None
        try:
            async with self.client.post(
                self.url, json={"sender": self.sender, "message": message}
            ) as resp:
                status, body = resp.status, await resp.read()
            if status != 200:
                error = f"HTTP {status}: {body[:120].decode(errors='replace')}"
            else:
                replies = json.loads(body)
                text = " ".join(r.get("text") or "" for r in replies)
                if "kan ikke gemme lige nu" in text.lower():
                    error = "store unavailable"
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:160]
        self.rec.add((time.perf_counter() - started) * 1000, error, kind)
        return replies


def _progress(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    for reply in replies:
        custom = reply.get("custom") or {}
        if "progress" in custom:
            return custom["progress"]
    return None


def _buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for r in replies for b in (r.get("buttons") or [])]


def _button(replies: list[dict[str, Any]], prefix: str) -> str | None:
    for b in _buttons(replies):
        if b["title"].startswith(prefix):
            return b["payload"]
    return None


class Intake:
    """Plays intakes one after another until `stop_at`, thinking between messages."""

    def __init__(
        self,
        client: aiohttp.ClientSession,
        rasa_url: str,
        rec: Recorder,
        rng: random.Random,
        think: tuple[float, float],
        stop_at: float,
        bare: bool = False,
        turns: tuple[Alternation, int] | None = None,
    ) -> None:
        self.client, self.rasa_url, self.rec, self.rng = client, rasa_url, rec, rng
        self.think, self.stop_at, self.bare = think, stop_at, bare
        self.turns = turns

    def person(self) -> Person:
        return Person(self.client, self.rasa_url, self.rec, self.rng, self.turns)

    async def pause(self) -> bool:
        """Think before the next message; False when the level is over."""
        if self.think[1] > 0:
            await asyncio.sleep(self.rng.uniform(*self.think))
        return time.monotonic() < self.stop_at

    async def run(self) -> None:
        # People arrive spread over the first think interval, not all in the same second.
        await asyncio.sleep(self.rng.uniform(0, self.think[1]))
        while time.monotonic() < self.stop_at:
            if self.bare:
                await self.play_bare()
            else:
                await self.play()

    async def play_bare(self) -> None:
        person = self.person()
        for message in BARE_SCRIPT:
            if await person.say(message) is None or not await self.pause():
                return
        self.rec.intakes_completed += 1

    async def play(self) -> None:
        person = self.person()
        role = self.rng.choice(["parent", "pupil"])
        # The opening: "Hvem er du?" first, then (pupils) the age, then the consent.
        replies = await person.say("hej", "greeting")
        if replies is None or not await self.pause():
            return
        who = _button(replies, "Jeg er elev" if role == "pupil" else "Jeg er forælder")
        replies = await person.say(who or ("elev" if role == "pupil" else "forælder"), "role")
        if replies is None or not await self.pause():
            return
        if role == "pupil":
            replies = await person.say(_button(replies, "13") or "13", "age")
            if replies is None or not await self.pause():
                return
        yes = _button(replies, "Ja")
        replies = await person.say(yes or "ja", "consent")
        corrected = False
        for _ in range(90):
            if replies is None or not await self.pause():
                return
            progress = _progress(replies)
            if progress is None:
                confirm = _button(replies, "Ja")
                if confirm and _button(replies, "Ja, send det"):
                    await person.say(confirm, "confirm")
                    self.rec.intakes_completed += 1
                    return
                buttons = _buttons(replies)
                message = buttons[0]["payload"] if buttons else "ved ikke"
                kind = "other"
            else:
                message = self.answer(progress, replies, role)
                kind = "dont_know" if message == "ved ikke" else progress["type"]
                if progress["question"] == "school" and not corrected:
                    # The grade was just answered: correct it once, as people do.
                    corrected = True
                    self.rec.corrections += 1
                    message, kind = "jeg vil rette klassetrinnet", "correction"
            replies = await person.say(message, kind)

    def answer(self, progress: dict[str, Any], replies: list[dict[str, Any]], role: str) -> str:
        key, qtype = progress["question"], progress["type"]
        if key in TYPED[role]:
            return self.rng.choice(TYPED[role][key])
        if self.rng.random() < 0.15:
            self.rec.dont_knows += 1
            return "ved ikke"
        if qtype == "text":
            return self.rng.choice(FREE_TEXT)
        buttons = _buttons(replies)
        if buttons:
            return self.rng.choice(buttons)["payload"]
        return "3" if qtype == "number" else "ved ikke"


class Sampler:
    """CPU and memory of each process of the stack (with its children) once a second."""

    def __init__(self, procs: dict[str, int]) -> None:
        self.procs = {**procs, "load generator": os.getpid()}
        self.handles: dict[int, psutil.Process] = {}
        self.samples: dict[str, list[tuple[float, float]]] = {n: [] for n in self.procs}
        self.cpu_start: dict[int, float] = {}
        self.cpu_used: dict[int, tuple[str, float]] = {}
        self.task: asyncio.Task[None] | None = None

    def _tree(self, pid: int) -> list[psutil.Process]:
        try:
            root = psutil.Process(pid)
            # The stack's processes are this process's children: count them only once.
            tree = [root] if pid == os.getpid() else [root, *root.children(recursive=True)]
        except psutil.Error:
            return []
        out = []
        for proc in tree:
            handle = self.handles.get(proc.pid)
            if handle is None:
                handle = self.handles[proc.pid] = proc
                with contextlib.suppress(psutil.Error):
                    handle.cpu_percent(None)
            out.append(handle)
        return out

    def _services(self) -> dict[str, list[psutil.Process]]:
        """PostgreSQL and Redis serve the stack too; their CPU belongs in the picture."""
        found: dict[str, list[psutil.Process]] = {"postgres": [], "redis": []}
        for proc in psutil.process_iter(["name"]):
            name = (proc.info.get("name") or "").lower()
            key = "postgres" if name.startswith("postgres") else "redis" if "redis" in name else ""
            if key:
                found[key].append(self.handles.setdefault(proc.pid, proc))
        return found

    def sample(self, record: bool = True) -> None:
        groups = {name: self._tree(pid) for name, pid in self.procs.items()}
        groups.update(self._services())
        for name, procs in groups.items():
            cpu = rss = 0.0
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    cpu += proc.cpu_percent(None)
                    rss += proc.memory_info().rss
                    # CPU seconds since the level began, per process (its first sight counts
                    # from then): the per-turn CPU cost is read from these, not from samples.
                    times = proc.cpu_times()
                    used = times.user + times.system
                    self.cpu_start.setdefault(proc.pid, used)
                    self.cpu_used[proc.pid] = (name, used - self.cpu_start[proc.pid])
            if record and procs:
                self.samples.setdefault(name, []).append((cpu, rss / 2**20))
        # The whole machine, in percent of one core (200 = both cores busy).
        machine = psutil.cpu_percent(None) * (psutil.cpu_count() or 1)
        if record:
            self.samples.setdefault("machine", []).append((machine, 0.0))

    async def _loop(self) -> None:
        self.sample(record=False)
        while True:
            await asyncio.sleep(1.0)
            self.sample()

    def __enter__(self) -> Sampler:
        self.task = asyncio.get_running_loop().create_task(self._loop())
        return self

    def __exit__(self, *exc: object) -> None:
        if self.task:
            self.task.cancel()
        self.sample(record=False)  # the CPU seconds up to the end of the level

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used during the level, per process group."""
        out: dict[str, float] = {}
        for name, used in self.cpu_used.values():
            out[name] = out.get(name, 0.0) + used
        return {name: round(used, 2) for name, used in sorted(out.items())}

    def summary(self) -> dict[str, dict[str, float]]:
        out = {}
        for name, samples in self.samples.items():
            if not samples:
                continue
            cpus = [c for c, _ in samples]
            out[name] = {
                "cpu_mean_pct": round(statistics.fmean(cpus), 1),
                "cpu_max_pct": round(max(cpus), 1),
                "rss_max_mb": round(max(m for _, m in samples), 1),
            }
        return out


# Every process that serves the chat: entry point, Rasa workers, action server, API, PostgreSQL
# and Redis. Only the load generator (and the machine total) are left out, on both systems.
NOT_SERVING = {"load generator", "machine"}


def cpu_per_turn(row: dict[str, Any]) -> float | None:
    """CPU milliseconds the serving processes spent per answered turn in this level."""
    turns = row.get("turns") or 0
    if not turns:
        return None
    used = sum(v for k, v in row.get("cpu_s", {}).items() if k not in NOT_SERVING)
    return round(used * 1000 / turns, 2)


def cpu_per_turn_by_process(row: dict[str, Any]) -> dict[str, float]:
    """CPU milliseconds per answered turn of each process group in this level."""
    turns = row.get("turns") or 0
    if not turns:
        return {}
    return {name: round(used * 1000 / turns, 2) for name, used in row["cpu_s"].items()}


def pooled_cpu_per_turn(rows: list[dict[str, Any]]) -> float | None:
    turns = sum(r.get("turns") or 0 for r in rows)
    used = sum(v for r in rows for k, v in r.get("cpu_s", {}).items() if k not in NOT_SERVING)
    return round(used * 1000 / turns, 2) if turns else None


def _client() -> aiohttp.ClientSession:
    # aiohttp rather than httpx: the load generator shares the two cores with the stack, and
    # aiohttp needs about half the CPU per request.
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=60.0),
        connector=aiohttp.TCPConnector(limit=0, limit_per_host=0),
    )


async def run_level(
    rasa_url: str,
    people: int,
    think: tuple[float, float],
    duration: float,
    procs: dict[str, int],
    seed: int,
    bare: bool = False,
) -> dict[str, Any]:
    rec = Recorder()
    rng = random.Random(seed)
    started = time.monotonic()
    stop_at = started + duration
    async with _client() as client:
        with Sampler(procs) as sampler:
            tasks = [
                asyncio.create_task(
                    Intake(
                        client, rasa_url, rec, random.Random(rng.random()), think, stop_at, bare
                    ).run()
                )
                for _ in range(people)
            ]
            # Messages in flight at the end may finish; nobody starts a new one.
            done, pending = await asyncio.wait(tasks, timeout=duration + think[1] + 60)
            for task in pending:
                task.cancel()
            unfinished = len(pending)
        ended = min(time.monotonic(), stop_at)
    result = {"people": people, **rec.summary(started, ended), "processes": sampler.summary()}
    result["cpu_s"] = sampler.cpu_seconds()
    result["cpu_ms_per_turn"] = cpu_per_turn(result)
    result["errors"] += unfinished
    for task in done:
        if task.exception() is not None:
            result["errors"] += 1
            result["error_examples"].append(repr(task.exception())[:160])
    return result


def profile(procs: dict[str, int], args: argparse.Namespace, people: int) -> list[Any]:
    """py-spy flame graphs of the Rasa workers and the action server during one level."""
    if not args.profile_dir or people != args.profile_level:
        return []
    spy = Path(sys.executable).parent / "py-spy"
    out = Path(args.profile_dir)
    out.mkdir(parents=True, exist_ok=True)
    spies = []
    for name, pid in procs.items():
        if not (name.startswith("rasa") or name == "actions"):
            continue
        ext = "txt" if args.profile_format == "raw" else "svg"
        path = out / f"{name}-{people}.{ext}"
        spies.append(
            subprocess.Popen(  # noqa: S603 - our own tool, fixed arguments
                [str(spy), "record", "--pid", str(pid), "--rate", "100", "--nonblocking"]
                + ["--duration", str(int(args.duration)), "--output", str(path)]
                + ["--format", args.profile_format],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        print(f"  py-spy: {path}", flush=True)
    return spies


def finish_profiles(spies: list[Any]) -> None:
    for spy in spies:
        with contextlib.suppress(subprocess.TimeoutExpired):
            spy.wait(timeout=60)


async def single_users(urls: dict[str, str], turns: int) -> dict[str, dict[str, Any]]:
    """One person per system, no think time, the systems taking turns message by message."""
    alternation = Alternation(len(urls))
    recs = {system: Recorder() for system in urls}

    async def play(player: int, system: str, client: aiohttp.ClientSession) -> None:
        rec, bare = recs[system], system == "bare"
        intake = Intake(
            client,
            urls[system],
            rec,
            random.Random(7),
            (0.0, 0.0),
            time.monotonic() + 600,
            bare,
            (alternation, player),
        )
        try:
            while len(rec.latencies_ms) + rec.errors < turns:
                await (intake.play_bare() if bare else intake.play())
        finally:
            await alternation.give(player, finished=True)

    async with _client() as client:
        await asyncio.gather(*(play(i, system, client) for i, system in enumerate(urls)))
    return {
        system: {
            "turns": len(rec.latencies_ms),
            "p50_ms": pct(rec.latencies_ms, 50),
            "p95_ms": pct(rec.latencies_ms, 95),
            "errors": rec.errors,
            "p50_ms_by_kind": {k: pct(v, 50) for k, v in sorted(rec.by_kind.items())},
        }
        for system, rec in recs.items()
    }


async def nlu_parse(rasa_url: str, rounds: int, token: str = "") -> dict[str, Any]:
    messages = [*FREE_TEXT, "hej", "ja", "ved ikke", "jeg vil rette klassetrinnet", "4. klasse"]
    times: list[float] = []
    async with _client() as client:
        for i in range(rounds):
            started = time.perf_counter()
            async with client.post(
                f"{rasa_url}/model/parse",
                params={"token": token} if token else None,
                json={"text": messages[i % len(messages)]},
            ) as resp:
                resp.raise_for_status()
                await resp.read()
            times.append((time.perf_counter() - started) * 1000)
    return {"messages": rounds, "p50_ms": pct(times, 50), "p95_ms": pct(times, 95)}


async def ramp(
    rasa_url: str,
    procs: dict[str, int],
    think: tuple[float, float],
    step: float,
    start: int,
    factor: float,
    max_people: int,
) -> dict[str, Any]:
    steps = []
    people = start
    best = None
    while people <= max_people:
        result = await run_level(rasa_url, people, think, step, procs, seed=people)
        row = {k: result[k] for k in ("people", "turns_per_s", "p50_ms", "p95_ms", "errors")}
        # Where the saturation comes from: per-process CPU per turn and the machine's load.
        row["cpu_ms_per_turn"] = result.get("cpu_ms_per_turn")
        row["cpu_ms_per_turn_by_process"] = cpu_per_turn_by_process(result)
        row["machine_cpu_mean_pct"] = result["processes"].get("machine", {}).get("cpu_mean_pct")
        steps.append(row)
        print(
            f"  ramp: {_fmt_row(row)}  machine {row['machine_cpu_mean_pct']} %  "
            f"CPU ms/turn {row['cpu_ms_per_turn_by_process']}",
            flush=True,
        )
        held = row["errors"] == 0 and (row["p95_ms"] or 1e9) < TARGET_P95_MS
        if held and (best is None or row["turns_per_s"] > best["turns_per_s"]):
            best = row
        if row["errors"] or (row["p95_ms"] or 1e9) > 4 * TARGET_P95_MS:
            break  # saturated: more people only queue
        people = max(people + 1, round(people * factor))
    return {"think_s": list(think), "step_s": step, "steps": steps, "best_held": best}


def _fmt_row(row: dict[str, Any]) -> str:
    return (
        f"{row['people']:>4} people  {row['turns_per_s']:>6} turns/s  "
        f"p50 {row['p50_ms']} ms  p95 {row['p95_ms']} ms  errors {row['errors']}"
        + (f"  p95 per 10 s {row['p95_ms_by_10s']}" if row.get("p95_ms_by_10s") else "")
    )


def measure_training(tmp: Path) -> dict[str, Any]:
    """As `make train` does it from scratch (scripts/stack.py ensure_model): the danger model in
    its own process (into a temporary file, so it is trained, not loaded) beside `rasa train`
    without the danger model's thread."""
    out = tmp / "train"
    started = time.monotonic()
    danger_env = {**os.environ, "SKOLEBRO_DANGER_MODEL_FILE": str(tmp / "danger_model.json")}
    with stack_mod.danger_model_beside(danger_env, quiet=True):
        subprocess.run(
            [str(stack_mod.ENGINE_BIN / "rasa"), "train", "--force", "--out", str(out)],
            cwd=ROOT,
            env=stack_mod.rasa_train_env(),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        rasa_done = time.monotonic()
    done = time.monotonic()
    model = next(out.glob("*.tar.gz"))
    return {
        "seconds": round(done - started, 1),
        "rasa_s": round(rasa_done - started, 1),
        "danger_model_after_s": round(done - rasa_done, 1),
        "model_mb": round(model.stat().st_size / 2**20, 2),
    }


def ensure_bare_model() -> Path:
    models = sorted((BARE / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        subprocess.run(
            [
                str(stack_mod.ENGINE_BIN / "rasa"),
                "train",
                "--config",
                str(BARE / "config.yml"),
                "--domain",
                str(BARE / "domain.yml"),
                "--data",
                str(BARE / "data"),
                "--out",
                str(BARE / "models"),
                "--fixed-model-name",
                "bare",
            ],
            cwd=ROOT,
            env=stack_mod._engine_env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        models = [BARE / "models" / "bare.tar.gz"]
    return models[-1]


def first_answer(rasa_url: str) -> None:
    resp = httpx.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": f"bench-cold-{uuid.uuid4().hex[:8]}", "message": "hej"},
        timeout=120,
    )
    resp.raise_for_status()
    assert resp.json(), "no answer to the first message"


def start_bare(
    tmp: Path, database_url: str, redis_url: str, workers: int = 1
) -> tuple[list[stack_mod.Proc], str, float]:
    """Bare `rasa run` workers with the same tracker and lock store kinds as the stack (Rasa's
    own SQL store) and, for several workers, the same nginx entry point: the same layout, no
    actions. Returns the processes, the entry URL and the seconds to the first answer."""
    endpoints = tmp / "bare-endpoints.yml"
    # Only REST (what the bench speaks): Skolebro's credentials.yml names nlu_ext's socket.io
    # channel, whose import would load Skolebro's engine extensions into bare Rasa.
    credentials = tmp / "bare-credentials.yml"
    credentials.write_text("rest:\n")
    endpoints.write_text(
        stack_mod.rasa_tracker_store(database_url, tmp, "SQL")
        + stack_mod.rasa_lock_store(redis_url, "redis")
    )
    ports = [stack_mod.free_port() for _ in range(workers)]
    procs = [
        stack_mod.Proc(
            "rasa" if i == 0 else f"rasa-{i + 1}",
            [
                str(stack_mod.ENGINE_BIN / "rasa"),
                "run",
                "--model",
                str(ensure_bare_model()),
                "--port",
                str(port),
                "--enable-api",
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(credentials),
            ],
            f"http://127.0.0.1:{port}/status",
            stack_mod._engine_env(),
            tmp / f"bare-rasa-{i + 1}.log",
        )
        for i, port in enumerate(ports)
    ]
    entry = f"http://127.0.0.1:{ports[0]}"
    if workers > 1:
        entry_port = stack_mod.free_port()
        procs.append(
            stack_mod.nginx_proc(
                entry_port,
                ports,
                stack_mod.free_port(),  # no API in the bare layout
                tmp / "bare",
                tmp / "bare-nginx.log",
                stack_mod.free_port(),
            )
        )
        entry = f"http://127.0.0.1:{entry_port}"
    started = time.monotonic()
    try:
        stack_mod.start_front_last(procs, 240)
    except RuntimeError:
        for proc in procs:
            stop_proc(proc)
        raise
    first_answer(entry)
    return procs, entry, time.monotonic() - started


def stop_proc(proc: stack_mod.Proc) -> None:
    proc.signal_group(15)
    if proc.popen is not None:
        try:
            proc.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.signal_group(9)


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def print_table(report: dict[str, Any]) -> None:
    print("\n=== Skolebro bench ===", report["started_at"], report["machine"])
    cpu = report.get("cpu_per_turn")
    if cpu:
        verdict = "met" if (cpu["ratio"] or 99) <= TARGET_CPU_RATIO else "NOT met"
        print(
            f"HEADLINE per-turn CPU: skolebro {cpu['skolebro_ms']} ms, bare Rasa "
            f"{cpu['bare_ms']} ms, ratio x{cpu['ratio']} (target <= x{TARGET_CPU_RATIO}: "
            f"{verdict}; all levels pooled, every serving process incl. PostgreSQL and Redis)"
        )
    one = report["one_off"]
    print(
        f"training {one.get('train', {}).get('seconds')} s (target < 180) | "
        f"model {one.get('model_mb')} MB | cold start to first answer "
        f"{one['cold_start_s']} s (target < 20) | single user p50 "
        f"{one['single_user']['p50_ms']} ms (target < 30) | bare single user p50 "
        f"{one.get('bare_single_user', {}).get('p50_ms')} ms | NLU parse p50 "
        f"{one['nlu_parse']['p50_ms']} ms, p95 {one['nlu_parse']['p95_ms']} ms"
    )
    print(f"single user p50 by kind of turn (ms): {one['single_user'].get('p50_ms_by_kind')}")
    header = (
        f"{'system':<10}{'people':>7}{'turns/s':>9}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"{'errors':>8}{'intakes':>8}{'CPU/turn':>10}  CPU% mean/max, RSS max MB per process"
    )
    print(header)
    for system in ("skolebro", "bare"):
        for row in report["levels"].get(system, []):
            procs = "; ".join(
                f"{n} {v['cpu_mean_pct']:.0f}/{v['cpu_max_pct']:.0f}% {v['rss_max_mb']:.0f}MB"
                for n, v in row["processes"].items()
            )
            print(
                f"{system:<10}{row['people']:>7}{row['turns_per_s']:>9}{row['p50_ms']!s:>8}"
                f"{row['p95_ms']!s:>8}{row['p99_ms']!s:>8}{row['errors']:>8}"
                f"{row['intakes_completed']:>8}{row.get('cpu_ms_per_turn')!s:>8}ms  {procs}"
            )
    for row in report.get("ratios", []):
        print(
            f"ratio skolebro/bare at {row['people']} people: p50 x{row['p50']}, "
            f"p95 x{row['p95']}, turns/s x{row['turns_per_s']}, "
            f"CPU per turn x{row.get('cpu_per_turn')}"
        )
    best = (report.get("ramp") or {}).get("best_held")
    if best:
        print(
            f"ramp: highest turn rate held at p95 < {TARGET_P95_MS:.0f} ms: "
            f"{best['turns_per_s']} turns/s ({best['people']} people, p95 {best['p95_ms']} ms)"
        )
    elif report.get("ramp"):
        print(f"ramp: p95 < {TARGET_P95_MS:.0f} ms was not held even at the first step")


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    ax = axes[0]
    for system, style in (("skolebro", "-o"), ("bare", "--s")):
        rows = report["levels"].get(system, [])
        if not rows:
            continue
        people = [r["people"] for r in rows]
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            ax.plot(people, [r[key] or 0 for r in rows], style, label=f"{system} {key[:3]}")
    ax.axhline(TARGET_P95_MS, color="red", linewidth=0.8, label="target p95")
    ax.set_xlabel("simulated people (think time 5-15 s)")
    ax.set_ylabel("latency per turn (ms)")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.set_title("Latency by load level")
    ax = axes[1]
    steps = (report.get("ramp") or {}).get("steps") or []
    if steps:
        ax.plot([s["turns_per_s"] for s in steps], [s["p95_ms"] or 0 for s in steps], "-o")
        ax.axhline(TARGET_P95_MS, color="red", linewidth=0.8)
        ax.set_xlabel("turns/s")
        ax.set_ylabel("p95 (ms)")
        ax.set_title("Ramp (short think time)")
    fig.suptitle(f"Skolebro bench {report['started_at']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    think = (args.think_min, args.think_max)
    levels = [int(x) for x in args.levels.split(",") if x]
    report: dict[str, Any] = {
        "started_at": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{platform.node()} {os.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "settings": {**vars(args), "database": "postgresql" if args.database_url else "sqlite"},
        "targets": {
            "p95_ms_at_600": TARGET_P95_MS,
            "single_user_p50_ms": 30,
            "train_s": 180,
            "cold_start_s": 20,
        },
        "one_off": {},
        "levels": {"skolebro": [], "bare": []},
    }
    one = report["one_off"]
    tmp = Path(tempfile.mkdtemp(prefix="skolebro-bench-"))
    model = stack_mod.ensure_model()
    one["model_mb"] = round(model.stat().st_size / 2**20, 2)
    if not args.skip_train:
        print("measuring rasa train (forced, into a temporary folder) ...", flush=True)
        one["train"] = measure_training(tmp)
        print(f"  {one['train']}", flush=True)

    database_url = stack_mod.fresh_database(args.database_url, "bench")
    st = stack_mod.Stack(
        data_dir=tmp / "data",
        rasa_port=stack_mod.free_port(),
        action_port=stack_mod.free_port(),
        api_port=stack_mod.free_port(),
        database_url=database_url,
        redis_url=args.redis_url,
        log_dir=tmp / "logs",
        rasa_workers=args.rasa_workers,
    )
    print("cold start ...", flush=True)
    started = time.monotonic()
    st.start(model, timeout=240)
    first_answer(st.rasa_url)
    one["cold_start_s"] = round(time.monotonic() - started, 1)
    procs = {p.name: p.popen.pid for p in st.procs if p.popen}
    bare_procs: list[stack_mod.Proc] = []
    urls = {"skolebro": st.rasa_url}
    try:
        if not args.skip_bare:
            print("bare Rasa ...", flush=True)
            # Its own empty database: on the one Skolebro fills, bare Rasa ran on a table with
            # Skolebro's index and thousands of rows, perhaps while autovacuum worked on it.
            bare_database_url = stack_mod.fresh_database(args.database_url, "benchbare")
            bare_procs, urls["bare"], cold = start_bare(
                tmp, bare_database_url, args.redis_url, args.rasa_workers
            )
            one["bare_cold_start_s"] = round(cold, 1)
        bare_pids = {p.name: p.popen.pid for p in bare_procs if p.popen}
        # Both systems run side by side from here and take turns: message by message for the
        # single user, level by level under load, so that both meet the same spells of a shared
        # machine and their ratios compare like with like. The idle one costs next to nothing.
        singles = await single_users(urls, args.single_turns)
        one["single_user"] = singles["skolebro"]
        print(f"  cold {one['cold_start_s']} s, single {one['single_user']}", flush=True)
        if "bare" in singles:
            one["bare_single_user"] = singles["bare"]
            print(f"  bare single {one['bare_single_user']}", flush=True)
        one["nlu_parse"] = await nlu_parse(st.rasa_url, args.parse_messages, st.rasa_token)
        for people in levels:
            print(f"skolebro: {people} people for {args.duration:.0f} s ...", flush=True)
            spies = profile(procs, args, people)
            row = await run_level(st.rasa_url, people, think, args.duration, procs, seed=people)
            finish_profiles(spies)
            report["levels"]["skolebro"].append(row)
            print(f"  {_fmt_row(row)}", flush=True)
            if "bare" in urls:
                print(f"bare: {people} people for {args.duration:.0f} s ...", flush=True)
                row = await run_level(
                    urls["bare"], people, think, args.duration, bare_pids, people, True
                )
                report["levels"]["bare"].append(row)
                print(f"  {_fmt_row(row)}", flush=True)
        # The ramp is Skolebro's alone: the bare stack stops first so it takes nothing.
        for proc in bare_procs:
            stop_proc(proc)
        bare_procs = []
        if args.ramp_step > 0:
            print("ramp ...", flush=True)
            report["ramp"] = await ramp(
                st.rasa_url,
                procs,
                (args.ramp_think_min, args.ramp_think_max),
                args.ramp_step,
                args.ramp_start,
                args.ramp_factor,
                args.ramp_max,
            )
    finally:
        for proc in bare_procs:
            stop_proc(proc)
        st.stop()

    if not args.skip_bare:
        report["ratios"] = [
            {
                "people": a["people"],
                "p50": ratio(a["p50_ms"], b["p50_ms"]),
                "p95": ratio(a["p95_ms"], b["p95_ms"]),
                "turns_per_s": ratio(a["turns_per_s"], b["turns_per_s"]),
                "cpu_per_turn": ratio(a.get("cpu_ms_per_turn"), b.get("cpu_ms_per_turn")),
            }
            for a, b in zip(report["levels"]["skolebro"], report["levels"]["bare"], strict=False)
        ]
        mine = pooled_cpu_per_turn(report["levels"]["skolebro"])
        base = pooled_cpu_per_turn(report["levels"]["bare"])
        report["cpu_per_turn"] = {
            "skolebro_ms": mine,
            "bare_ms": base,
            "ratio": ratio(mine, base),
            "target_ratio": TARGET_CPU_RATIO,
        }
    report["logs"] = str(tmp / "logs")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="50,200,600", help="people per level, comma list")
    parser.add_argument("--duration", type=float, default=45.0, help="seconds per level")
    parser.add_argument("--think-min", type=float, default=5.0)
    parser.add_argument("--think-max", type=float, default=15.0)
    parser.add_argument("--ramp-step", type=float, default=15.0, help="seconds per step; 0: none")
    # Steps of 25 % from 8 people: a factor of 1.6 from 1 (1, 2, ..., 54, 86, 138) jumped from
    # ~50 to ~80 to ~125 offered turns/s, so the rate "held" could not fall between them (the
    # 86-people step offers at most ~81 turns/s with 0.5-1.5 s think time).
    parser.add_argument("--ramp-start", type=int, default=8)
    parser.add_argument("--ramp-factor", type=float, default=1.25)
    parser.add_argument("--ramp-max", type=int, default=400)
    parser.add_argument("--ramp-think-min", type=float, default=0.5)
    parser.add_argument("--ramp-think-max", type=float, default=1.5)
    parser.add_argument("--single-turns", type=int, default=40)
    parser.add_argument("--parse-messages", type=int, default=100)
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--rasa-workers", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--profile-dir", default="", help="py-spy flame graphs go here")
    parser.add_argument("--profile-level", type=int, default=200, help="people level to profile")
    parser.add_argument(
        "--profile-format",
        choices=["flamegraph", "raw"],
        default="flamegraph",
        help="py-spy output: SVG flame graph, or collapsed stacks (text) to aggregate",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.levels, args.duration, args.skip_train = "10,50", 15.0, True
        args.think_min, args.think_max = 1.0, 3.0
        args.ramp_step, args.ramp_max, args.single_turns = 8.0, 40, 15
    if args.rasa_workers > 1 and not (args.database_url and args.redis_url):
        parser.error("--rasa-workers > 1 needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    for what, url, port in (
        ("PostgreSQL", args.database_url, 5432),
        ("Redis", args.redis_url, 6379),
    ):
        if url and not stack_mod.reachable(url, port):
            parser.error(
                f"{what} at {url} does not answer. Start it, point the URL elsewhere, or run "
                "without DATABASE_URL/REDIS_URL (one Rasa worker on SQLite)."
            )

    report = asyncio.run(bench(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    json_path = RESULTS / f"bench-{stamp}.json"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    png_path = RESULTS / f"bench-{stamp}.png"
    plot(report, png_path)
    print_table(report)
    print(f"\nresults: {json_path}\nplot:    {png_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
