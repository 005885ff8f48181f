"""`make bench`: the project's configuration against Rasa's default one, in one run.

Measures understanding (5-fold cross-validation, held-out accuracy), latency and
throughput of whole scripted conversations through the REST channel with the
action server and the backend in the loop (1, 8 and 32 at once), the 60th message
of a conversation against the 1st, start-up, memory and training time; then the
project with 1 and 2 Rasa instances behind nginx (PostgreSQL store, Redis lock).
Before all that, the project as it was before the procedure engine (`--baseline`): that commit's
own benchmark of its project configuration, in a throw-away worktree, under the same load.
Writes docs/benchmarks.md, docs/benchmarks.png and bench/results/latest.json.
Loopback only; every loop is bounded. Numbers mean something on a quiet machine
only: the load average before and after is recorded with them.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import page, scaleout  # noqa: E402
from bench.conversations import NO_REQUEST_LIMITS, Load, accounts_fixture, cpu_seconds  # noqa: E402
from bench.stats import percentile  # noqa: E402
from devstack import ASSISTANT_BIN, QUIET, REPO, Stack  # noqa: E402

RESULTS = REPO / "bench" / "results"
CONFIGS = {"project": REPO / "config.yml", "rasa-default": REPO / "bench" / "rasa-default-config.yml"}
# The default configuration's model served as Rasa ships it: the baseline of issue 12's throughput target.
STOCK = "rasa-default-stock"
ENV = {**os.environ, **QUIET, "RASA_TELEMETRY_ENABLED": "false"}
# The last commit with the dialogue procedure as Python (a turn class), before issue 16's engine: the
# baseline against which one run shows what the engine costs (docs/benchmarks-redesign.md, by hand).
BEFORE_THE_ENGINE = "60fde90"
# Trained baseline models and their training/held-out records, by the baseline's own inputs hash
# (models/ is ignored by git; a subfolder, so no test or `make run` takes one for the current model).
BASELINE_CACHE = REPO / "models" / "baseline"


class Sizes:
    """How much load: `make bench` runs the full sizes, `--smoke` tiny ones to check the code."""

    def __init__(self, smoke: bool):
        self.levels = (1, 2) if smoke else (1, 8, 32)
        self.repetitions = 1 if smoke else 3
        self.conversations_per_worker = 1 if smoke else 2
        self.long_conversations = 1 if smoke else 8
        self.scale_workers = 2 if smoke else 32
        self.scale_repetitions = 1 if smoke else 2

    def phones_needed(self) -> int:
        per_level = sum(self.levels) * self.conversations_per_worker * self.repetitions
        return per_level + self.long_conversations + 8


def inputs_hash(config: Path) -> str:
    digest = hashlib.sha256(config.read_bytes())
    for path in sorted([*(REPO / "domain").rglob("*.yml"), *(REPO / "data").rglob("*.yml"),
                        *(REPO / "components").rglob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def run(command: list[str], log: Path) -> float:
    started = time.monotonic()
    with log.open("w") as output:
        subprocess.run(command, cwd=REPO, env=ENV, stdout=output, stderr=subprocess.STDOUT, check=True)
    return time.monotonic() - started


def train(name: str, config: Path, fresh: bool) -> tuple[Path, dict]:
    """Trains from clean (own output folder, empty Rasa cache) unless a model of the same inputs exists."""
    key = inputs_hash(config)
    model = REPO / "models" / f"bench-{name}-{key}.tar.gz"
    record = RESULTS / f"training-{name}-{key}.json"
    if fresh or not model.exists() or not record.exists():
        with tempfile.TemporaryDirectory() as cache:
            env_cache = {"RASA_CACHE_DIRECTORY": cache}
            os.environ.update(env_cache)
            ENV.update(env_cache)
            load_before = os.getloadavg()[0]
            seconds = run([str(ASSISTANT_BIN / "rasa"), "train", "--config", str(config), "--domain", str(REPO / "domain"),
                           "--out", str(model.parent),
                           "--fixed-model-name", model.name.removesuffix(".tar.gz")], RESULTS / f"train-{name}.log")
        record.write_text(json.dumps({"seconds": seconds, "date": datetime.datetime.now().isoformat(timespec="minutes"),
                                      "load_average_before": load_before}))
    return model, json.loads(record.read_text())


def report_figures(folder: Path) -> dict:
    intents = json.loads((folder / "intent_report.json").read_text())
    figures = {"intent_accuracy": intents["accuracy"], "intent_macro_f1": intents["macro avg"]["f1-score"]}
    entity_reports = [p for p in folder.glob("*_report.json") if p.name not in ("intent_report.json", "response_selection_report.json")]
    entity_f1 = [json.loads(p.read_text()).get("micro avg", {}).get("f1-score") for p in entity_reports]
    figures["entity_f1"] = max([f for f in entity_f1 if f is not None], default=None)
    return figures


def understanding(name: str, config: Path, model: Path, cross_validate: bool) -> dict:
    """Cross-validation (cached per training inputs) and held-out accuracy (cached per model)."""
    key = inputs_hash(config)
    cached_cv, cached_heldout = RESULTS / f"cv-{name}-{key}.json", RESULTS / f"heldout-{name}-{key}.json"
    figures = json.loads(cached_cv.read_text()) if cached_cv.exists() else {}
    if not figures and cross_validate:
        out = Path(tempfile.mkdtemp())
        run([str(ASSISTANT_BIN / "rasa"), "test", "nlu", "--nlu", "data/nlu", "--config", str(config),
             "--domain", str(REPO / "domain"), "--cross-validation", "--folds", "5", "--out", str(out)], RESULTS / f"cv-{name}.log")
        figures = report_figures(out)
        cached_cv.write_text(json.dumps(figures))
    heldout_key = hashlib.sha256((REPO / "tests" / "nlu" / "heldout.yml").read_bytes()).hexdigest()[:8]
    heldout = json.loads(cached_heldout.read_text()) if cached_heldout.exists() else {}
    if heldout.get("heldout_file") != heldout_key:
        out = Path(tempfile.mkdtemp())
        run([str(ASSISTANT_BIN / "rasa"), "test", "nlu", "--nlu", "tests/nlu/heldout.yml", "--model", str(model),
             "--out", str(out)], RESULTS / f"heldout-{name}.log")
        heldout = {"heldout_file": heldout_key,
                   "heldout_accuracy": json.loads((out / "intent_report.json").read_text())["accuracy"]}
        cached_heldout.write_text(json.dumps(heldout))
    return {**figures, "heldout_accuracy": heldout["heldout_accuracy"]}


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children."""
    total, family = 0, {pid}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(fields["Pid"]) in family or int(fields.get("PPid", 0)) in family:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


def measure(model: Path, workdir: Path, sizes: Sizes, stock: bool = False) -> dict:
    """`stock`: served as Rasa ships it — `rasa run` without `rasa_patches/`, Rasa's own SQL store on SQLite."""
    stack = Stack(workdir, extra_env=NO_REQUEST_LIMITS)
    workdir.mkdir(parents=True, exist_ok=True)
    stack.accounts = workdir / "accounts.yml"
    phones = accounts_fixture(stack.accounts, sizes.phones_needed())
    try:
        stack.start_backend()
        stack.start_actions()
        started = time.monotonic()
        endpoints = stack.endpoints_file(tracker_store={
            "type": "SQL", "dialect": "sqlite", "db": str(workdir / "rasa-tracker.sqlite3")}) if stock else None
        stack.start_rasa(model=model, endpoints=endpoints, stock=stock)
        stack.say("bench-startup", "dzień dobry")
        startup = time.monotonic() - started
        rasa_after_start = rss_mb(stack.services["rasa"].process.pid)
        load = Load(stack, phones)
        rasa_pid = stack.services["rasa"].process.pid
        cpu_before = cpu_seconds(lambda: [rasa_pid])
        levels = {level: [load.at_once(level, sizes.conversations_per_worker) for _ in range(sizes.repetitions)]
                  for level in sizes.levels}
        messages = sum(run["messages"] for runs in levels.values() for run in runs)
        rasa_cpu_ms = (cpu_seconds(lambda: [rasa_pid]) - cpu_before) * 1000 / messages
        long = load.long_conversations(sizes.long_conversations)
        memory = {"rasa_mb": rss_mb(rasa_pid), "rasa_mb_after_start": rasa_after_start,
                  "actions_mb": rss_mb(stack.services["actions"].process.pid)}
    finally:
        stack.stop()
    return {"startup_s": startup, "levels": levels, "long": long, "rasa_cpu_ms_per_message": rasa_cpu_ms,
            "failures": load.failures, **memory}


def backend_load(workdir: Path, workers: int = 8, per_worker: int = 40) -> dict:
    """The account backend alone: starting verifications and checking codes, `workers` at once."""
    import concurrent.futures
    import threading
    import urllib.request

    stack = Stack(workdir, extra_env=NO_REQUEST_LIMITS)
    workdir.mkdir(parents=True, exist_ok=True)
    stack.accounts = workdir / "accounts.yml"
    phones = accounts_fixture(stack.accounts, workers * per_worker)
    timings: dict[str, list[float]] = {"start": [], "check": []}
    lock = threading.Lock()

    def call(path: str, body: dict) -> dict:
        request = urllib.request.Request(f"{stack.backend_url}{path}", data=json.dumps(body).encode(), headers={
            "Content-Type": "application/json", "X-API-Key": stack.api_key})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def worker(offset: int) -> None:
        for phone in phones[offset * per_worker:(offset + 1) * per_worker]:
            started = time.perf_counter()
            verification = call("/api/v1/phone-verifications", {"phone": phone, "conversation_id": phone})
            middle = time.perf_counter()
            call(f"/api/v1/phone-verifications/{verification['verification_id']}/check", {"code": "000000"})
            ended = time.perf_counter()
            with lock:
                timings["start"].append((middle - started) * 1000)
                timings["check"].append((ended - middle) * 1000)

    try:
        stack.start_backend()
        began = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            list(pool.map(worker, range(workers)))
        elapsed = time.perf_counter() - began
    finally:
        stack.stop()
    return {"workers": workers, "requests_per_s": 2 * workers * per_worker / elapsed,
            **{f"{name}_{q}": percentile(values, int(q[1:])) for name, values in timings.items()
               for q in ("p50", "p95", "p99")}}


def git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def baseline(ref: str, smoke: bool, fresh: bool) -> dict:
    """REF's own benchmark of its project configuration (as docs/benchmarks-redesign.md measured it), in
    a throw-away worktree sharing this tree's environments; its model is cached by REF's inputs hash."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    started = time.monotonic()
    temporary = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
    tree = temporary / "tree"
    git("worktree", "add", "--detach", "--quiet", str(tree), commit)
    try:
        for environment in (".venv", "backend/.venv", "web/node_modules"):
            if (REPO / environment).exists() and (tree / environment).parent.is_dir():
                (tree / environment).symlink_to((REPO / environment).resolve())
        # The environments install contact_rules editable from this tree: REF's own comes first.
        env = {**ENV, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree / "contact_rules" / "src"),
                                                                  os.environ.get("PYTHONPATH")]))}
        # The request limits lifted as for the current tree (NO_REQUEST_LIMITS). A REF whose backend has
        # no such limits (60fde90: issue 17 came later, only the per-number limits held, and each
        # conversation has its own number) ignores these variables; a REF that lifts them itself
        # (its bench's Stack extra_env) overrides them.
        env.update(NO_REQUEST_LIMITS)
        key = subprocess.run([str(tree / ".venv" / "bin" / "python"), "-c",
                              "from bench.run import CONFIGS, inputs_hash; print(inputs_hash(CONFIGS['project']))"],
                             cwd=tree, env=env, capture_output=True, text=True, check=True).stdout.strip()
        model = Path("models") / f"bench-project-{key}.tar.gz"
        records = [Path("bench") / "results" / f"{kind}-project-{key}.json" for kind in ("training", "heldout", "cv")]
        cached = not fresh and (BASELINE_CACHE / model.name).exists() \
            and (BASELINE_CACHE / records[0].name).exists()
        if cached:
            (tree / "models").mkdir(exist_ok=True)
            for path in (model, *records):
                if (BASELINE_CACHE / path.name).exists():
                    shutil.copy2(BASELINE_CACHE / path.name, tree / path)
        command = [str(tree / "scripts" / "bench.sh"), "--configs", "project", "--skip-scale-out", "--skip-cv",
                   "--skip-stock", *(["--smoke"] if smoke else [])]
        log = RESULTS / "baseline.log"
        with log.open("w") as output:
            finished = subprocess.run(command, cwd=tree, env=env, stdout=output, stderr=subprocess.STDOUT)
        if finished.returncode:
            raise SystemExit(f"the baseline's benchmark at {commit[:7]} failed (exit {finished.returncode}): "
                             f"see {log.relative_to(REPO)}; `--baseline none` skips it")
        BASELINE_CACHE.mkdir(parents=True, exist_ok=True)
        for path in (model, *records):
            if (tree / path).exists():
                shutil.copy2(tree / path, BASELINE_CACHE / path.name)
        measured = json.loads((tree / "bench" / "results" / ("smoke.json" if smoke else "latest.json")).read_text())
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, capture_output=True)
        shutil.rmtree(temporary, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=REPO, capture_output=True)
    return {"ref": ref, "commit": commit, "subject": git("log", "-1", "--format=%s", commit)[:200],
            "before_the_engine": commit == git("rev-parse", "--verify", f"{BEFORE_THE_ENGINE}^{{commit}}"),
            "model_cached": cached, "seconds": time.monotonic() - started, "date": measured["date"],
            "smoke": measured.get("smoke"), "load_average": measured["load_average"], "sizes": measured["sizes"],
            "project": measured["project"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fresh", nargs="*", choices=[*CONFIGS, "baseline"], metavar="CONFIG",
                        help="retrain from clean (all configurations and the baseline, or the ones named)")
    parser.add_argument("--page-only", action="store_true", help="rewrite docs/benchmarks.md from the last results")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny loads to check the benchmark itself; writes bench/results/smoke.json only")
    parser.add_argument("--skip-scale-out", action="store_true", help="no 1 vs 2 instances run (needs PostgreSQL, Redis, nginx)")
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS),
                        help="measure only these configurations (the page says what was not measured)")
    parser.add_argument("--skip-stock", action="store_true",
                        help="do not measure Rasa's default configuration served as Rasa ships it (no patches, "
                             "Rasa's SQL store), only served like the project")
    parser.add_argument("--skip-cv", action="store_true", help="no cross-validation (cached figures are still shown)")
    parser.add_argument("--full-cv", action="store_true",
                        help="cross-validate Rasa's default configuration too (DIET and TED: about half an hour "
                             "on 2 cores); without it only cached default-config figures are shown")
    parser.add_argument("--baseline", default=BEFORE_THE_ENGINE, metavar="REF",
                        help=f"also measure the project configuration at this commit, in a throw-away worktree "
                             f"(default {BEFORE_THE_ENGINE}, before the procedure engine); `none` skips it")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.page_only:
        (REPO / "docs" / "benchmarks.md").write_text(page.render(json.loads((RESULTS / "latest.json").read_text())))
        return
    sizes = Sizes(args.smoke)
    fresh = {*CONFIGS, "baseline"} if args.fresh == [] else set(args.fresh or ())
    results = {"date": datetime.datetime.now().isoformat(timespec="minutes"), "rasa": "3.6.21", "smoke": args.smoke,
               "machine": {"cores": os.cpu_count(),
                           "memory_gb": int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024},
               "load_average": {"before": os.getloadavg()},
               "sizes": {k: v for k, v in vars(sizes).items()}}
    if args.baseline != "none":
        # First, next to the project's own load below: both sides under the same load.
        print(f"[baseline {args.baseline}] its own benchmark of the project configuration, in a worktree…", flush=True)
        results["baseline"] = baseline(args.baseline, args.smoke, "baseline" in fresh)
        print(f"[baseline {args.baseline}] {results['baseline']['seconds']:.0f} s"
              f"{' (model from the cache)' if results['baseline']['model_cached'] else ' (trained)'}", flush=True)
    models = {}
    for name, config in CONFIGS.items():
        if name not in args.configs:
            continue
        print(f"[{name}] training…", flush=True)
        models[name], training = train(name, config, name in fresh)
        print(f"[{name}] understanding…", flush=True)
        figures = {"heldout_accuracy": float("nan")} if args.smoke else understanding(
            name, config, models[name], cross_validate=not args.skip_cv and (name == "project" or args.full_cv))
        print(f"[{name}] load…", flush=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
        results[name] = {"training": training, "understanding": figures, "load": measure(models[name], workdir, sizes)}
        shutil.rmtree(workdir, ignore_errors=True)
        if name == "rasa-default" and not args.skip_stock:
            print(f"[{STOCK}] load…", flush=True)
            workdir = Path(tempfile.mkdtemp(prefix=f"bench-{STOCK}-"))
            results[STOCK] = {**results[name], "load": measure(models[name], workdir, sizes, stock=True)}
            shutil.rmtree(workdir, ignore_errors=True)
    if not args.skip_scale_out:
        print("[project] 1 and 2 instances behind nginx…", flush=True)
        workdir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        phones = accounts_fixture(workdir / "accounts.yml", 2 * sizes.scale_workers * sizes.conversations_per_worker
                                  * sizes.scale_repetitions + 8)
        results["scale_out"] = scaleout.scale_out(models["project"], workdir, phones, sizes.scale_workers,
                                                  sizes.conversations_per_worker, sizes.scale_repetitions)
        shutil.rmtree(workdir, ignore_errors=True)
    print("[backend] load…", flush=True)
    results["backend"] = backend_load(Path(tempfile.mkdtemp(prefix="bench-backend-")),
                                      per_worker=5 if args.smoke else 40)
    results["load_average"]["after"] = os.getloadavg()
    if args.smoke:
        (RESULTS / "smoke.json").write_text(json.dumps(results, indent=2))
        print(page.render(results))
        return
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    page.plot(results, REPO / "docs" / "benchmarks.png")
    text = page.render(results)
    (REPO / "docs" / "benchmarks.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
