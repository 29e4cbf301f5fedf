// The grpo dashboard page: the cluster's runs and silos at "/", one run's curves and samples at "/runs/<id>".
// Everything arrives as server-sent events from the dashboard, which reads the cluster once for every open page.
"use strict";
(() => {
  const colors = ["#2a6fdb", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#495057"];
  const el = id => document.getElementById(id);
  const num = value => (typeof value === "number" && Number.isFinite(value) ? value : null);
  const fixed = (value, digits) => (num(value) === null ? "—" : value.toFixed(digits));
  const percent = value => (num(value) === null ? "—" : (100 * value).toFixed(1) + " %");
  let info = { cluster: "", control: false };
  let serverDown = false;
  let clusterProblem = null;

  function showConnection() {
    const banner = el("connection");
    const text = serverDown ? "dashboard server unreachable, reconnecting…" : clusterProblem;
    banner.hidden = !text;
    banner.textContent = text || "";
  }

  function stream(url, handlers) {
    const source = new EventSource(url);
    source.onopen = () => { serverDown = false; showConnection(); };
    // EventSource connects again by itself; the banner says so meanwhile.
    source.onerror = () => { serverDown = true; showConnection(); };
    source.addEventListener("connection", event => {
      const view = JSON.parse(event.data);
      clusterProblem = view.reachable ? null : view.message || "cluster unreachable, reconnecting…";
      showConnection();
    });
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, event => handle(JSON.parse(event.data)));
    }
    return source;
  }

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  async function control(runId, action, message) {
    message.textContent = action === "stop" ? "stopping…" : "resuming…";
    try {
      const response = await fetch(`/api/runs/${encodeURIComponent(runId)}/${action}`, { method: "POST", headers: { "X-Grpo-Dashboard": "control" } });
      const text = await response.text();
      message.textContent = response.ok ? `${action} requested: ${JSON.parse(text).state}` : `${action} failed: ${text}`;
    } catch (error) {
      message.textContent = `${action} failed: ${error}`;
    }
  }

  // ---- the cluster: runs and silos ----

  function overview() {
    el("overview").hidden = false;
    stream("/api/events", { runs: showRuns, cluster: showCluster });
  }

  function showRuns(runs) {
    const body = el("runs").querySelector("tbody");
    body.replaceChildren();
    el("runs-empty").hidden = runs.length > 0;
    for (const run of runs) {
      const row = body.insertRow();
      const link = document.createElement("a");
      link.href = "/runs/" + encodeURIComponent(run.runId);
      link.textContent = run.runId;
      cell(row, "").appendChild(link);
      cell(row, run.state, "state " + run.state);
      cell(row, `${run.step}/${run.totalSteps}`, "num");
      cell(row, String(run.policyVersion), "num");
      cell(row, run.checkpointStep === null || run.checkpointStep === undefined ? "—" : "step " + run.checkpointStep, "num");
      cell(row, percent(run.accuracy), "num");
      const controls = cell(row, "", "control-column");
      if (info.control) {
        const message = document.createElement("span");
        message.className = "muted";
        if (!run.finished) controls.appendChild(button("Stop", () => control(run.runId, "stop", message)));
        if (run.finished && run.state !== "Completed") controls.appendChild(button("Resume", () => control(run.runId, "resume", message)));
        controls.appendChild(message);
      }
    }
  }

  function button(text, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function showCluster(view) {
    const silos = el("silos").querySelector("tbody");
    silos.replaceChildren();
    for (const silo of view.silos) {
      const row = silos.insertRow();
      cell(row, silo.name);
      cell(row, silo.address);
      cell(row, silo.host);
      cell(row, silo.status);
      cell(row, silo.learnerOf.join(", ") || "—");
      cell(row, Object.entries(silo.completionsLastStep).map(([run, count]) => `${run}: ${count}`).join(", ") || "—");
      cell(row, new Date(silo.lastAlive).toLocaleTimeString());
    }
    const activity = el("activity").querySelector("tbody");
    activity.replaceChildren();
    for (const run of view.runs) {
      const row = activity.insertRow();
      cell(row, run.runId);
      cell(row, String(run.step), "num");
      cell(row, String(run.policyVersion), "num");
      cell(row, String(run.maxStaleness), "num");
      cell(row, fixed(run.tokensPerSecond, 0), "num");
      cell(row, run.learnerSilo || "—");
    }
  }

  // ---- one run: status, curves, samples ----

  const steps = new Map();
  const samples = new Map();
  const charts = new Map();
  let redrawPending = false;

  const restOfStep = s => {
    const rest = num(s.stepSeconds) - (num(s.generateSeconds) || 0) - (num(s.trainSeconds) || 0);
    return num(s.stepSeconds) === null ? null : Math.max(0, rest);
  };

  // Each chart: a title and its series, each a label and how to read it from a step.
  const chartDefinitions = [
    { id: "reward", title: "Mean reward and its components", series: componentSeries },
    { id: "accuracy", title: "Held-out accuracy", gaps: true, series: () => [["accuracy", s => s.heldOutAccuracy]] },
    { id: "kl", title: "KL to the reference policy", series: () => [["mean KL", s => s.meanKl]] },
    { id: "clip", title: "Clip fraction and ratio range", series: () => [["clip fraction", s => s.clipFraction], ["ratio min", s => s.ratioMin], ["ratio max", s => s.ratioMax]] },
    { id: "length", title: "Completion length (tokens)", series: () => [["mean length", s => s.meanCompletionLength]] },
    { id: "zero-std", title: "Fraction of groups with equal rewards", series: () => [["zero-std fraction", s => s.fractionZeroStd]] },
    { id: "throughput", title: "Generated tokens per second", series: () => [["tokens/s", s => s.tokensPerSecond]] },
    { id: "time", title: "Step time (s)", series: () => [["step", s => s.stepSeconds], ["generate", s => s.generateSeconds], ["train", s => s.trainSeconds], ["rest (scoring, publication, waiting)", restOfStep]] },
  ];

  function componentSeries(sorted) {
    const names = new Set();
    for (const s of sorted) for (const name of Object.keys(s.rewardComponents || {})) names.add(name);
    return [["mean reward", s => s.meanReward], ...[...names].sort().map(name => [name, s => (s.rewardComponents || {})[name]])];
  }

  function runPage(runId) {
    el("run").hidden = false;
    el("run-title").textContent = "Run " + runId;
    document.title = "grpo dashboard: " + runId;
    for (const definition of chartDefinitions) {
      const box = document.createElement("div");
      box.className = "chart";
      box.id = "chart-" + definition.id;
      box.dataset.points = "0";
      const title = document.createElement("h3");
      title.textContent = definition.title;
      const holder = document.createElement("div");
      holder.className = "holder";
      holder.innerHTML = '<p class="empty muted">waiting for the first step…</p>';
      box.append(title, holder);
      el("charts").appendChild(box);
    }
    if (info.control) {
      el("run-controls").hidden = false;
      el("stop-button").addEventListener("click", () => control(runId, "stop", el("control-message")));
      el("resume-button").addEventListener("click", () => control(runId, "resume", el("control-message")));
    }
    for (const id of ["sample-step", "reward-min", "reward-max"]) el(id).addEventListener("input", showSamples);
    stream(`/api/runs/${encodeURIComponent(runId)}/events`, {
      status: showStatus,
      steps: list => { for (const s of list) steps.set(s.step, s); scheduleRedraw(); },
      samples: list => { for (const g of list) samples.set(`${g.step}:${g.promptIndex}`, g); showSamples(); },
    });
    window.addEventListener("resize", () => { for (const chart of charts.values()) chart.plot.setSize(size(chart.box)); });
  }

  function showStatus(run) {
    const state = el("run-state");
    state.textContent = run.state;
    state.className = "state " + run.state;
    el("run-progress").textContent = `step ${run.step}/${run.totalSteps} · policy version ${run.policyVersion}`
      + (run.checkpointStep === null || run.checkpointStep === undefined ? "" : ` · checkpoint at step ${run.checkpointStep}`)
      + ` · accuracy ${percent(run.baselineAccuracy)} before` + (num(run.finalAccuracy) === null ? "" : `, ${percent(run.finalAccuracy)} after`);
    const activity = run.activity ? ` · ${run.activity.action}` + (run.activity.total > 0 ? ` ${run.activity.done}/${run.activity.total}` : "") : "";
    el("run-detail").textContent = (run.phase ? run.phase : "") + activity + (run.error ? ` · ${run.error}` : "");
    el("stop-button").disabled = run.finished;
    el("resume-button").disabled = !run.finished || run.state === "Completed";
  }

  function scheduleRedraw() {
    if (redrawPending) return;
    redrawPending = true;
    requestAnimationFrame(() => { redrawPending = false; redraw(); });
  }

  const size = box => ({ width: Math.max(300, box.clientWidth - 12), height: 220 });
  // Steps are whole numbers: ticks at 0.2, 0.4, … would name steps that do not exist while a run is young.
  const stepTicks = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000];

  function redraw() {
    const sorted = [...steps.values()].sort((a, b) => a.step - b.step);
    const xs = sorted.map(s => s.step);
    for (const definition of chartDefinitions) {
      const series = definition.series(sorted);
      const labels = series.map(([label]) => label).join("\n");
      const data = [xs, ...series.map(([, read]) => sorted.map(s => num(read(s))))];
      const box = el("chart-" + definition.id);
      let chart = charts.get(definition.id);
      if (chart && chart.labels !== labels) {
        chart.plot.destroy();
        charts.delete(definition.id);
        chart = undefined;
      }
      if (!chart) {
        const holder = box.querySelector(".holder");
        holder.replaceChildren();
        const options = {
          ...size(box),
          scales: { x: { time: false } },
          axes: [{ label: "step", incrs: stepTicks }, {}],
          cursor: { drag: { x: true, y: false } },
          series: [{ label: "step" }, ...series.map(([label], i) => ({
            // Sparse series always show their points; the others leave it to uPlot, which draws them while they have room
            // (so a chart of one step shows a dot rather than nothing).
            label, stroke: colors[i % colors.length], width: 1.5, spanGaps: !!definition.gaps, points: definition.gaps ? { show: true } : {},
          }))],
        };
        charts.set(definition.id, { plot: new uPlot(options, data, holder), labels, box });
      } else {
        // A zoomed chart keeps its zoom while steps land; double-click shows every step again.
        const scale = chart.plot.scales.x;
        const previous = chart.plot.data[0];
        const zoomed = previous.length > 1 && scale.min !== null && (scale.min > previous[0] || scale.max < previous[previous.length - 1]);
        chart.plot.setData(data, !zoomed);
      }
      box.dataset.points = String(xs.length);
    }
  }

  function showSamples() {
    const select = el("sample-step");
    const stepsWithSamples = [...new Set([...samples.values()].map(g => g.step))].sort((a, b) => a - b);
    const chosen = select.value;
    if (select.options.length - 1 !== stepsWithSamples.length) {
      select.replaceChildren(new Option("every step", ""), ...stepsWithSamples.map(step => new Option("step " + step, String(step))));
      select.value = chosen;
    }
    const min = el("reward-min").value === "" ? -Infinity : Number(el("reward-min").value);
    const max = el("reward-max").value === "" ? Infinity : Number(el("reward-max").value);
    const groups = [...samples.values()]
      .filter(g => select.value === "" || String(g.step) === select.value)
      .sort((a, b) => b.step - a.step || a.promptIndex - b.promptIndex);
    const body = el("samples").querySelector("tbody");
    body.replaceChildren();
    let shown = 0;
    let matching = 0;
    for (const group of groups) {
      for (const completion of group.completions) {
        const reward = num(completion.reward);
        if (reward !== null && (reward < min || reward > max)) continue;
        matching++;
        // The newest few hundred rows: a long run keeps thousands, which a filter narrows down.
        if (shown >= 400) continue;
        shown++;
        const row = body.insertRow();
        cell(row, String(group.step), "num");
        cell(row, group.prompt, "text");
        cell(row, group.answer ?? "—", "text");
        cell(row, completion.text + (completion.truncated ? " …" : ""), "text");
        cell(row, fixed(completion.reward, 3), "num");
        cell(row, fixed(completion.advantage, 3), "num");
        cell(row, String(completion.tokens), "num");
        cell(row, String(completion.policyVersion), "num");
      }
    }
    el("sample-count").textContent = matching > shown ? `${shown} of ${matching} completions shown (newest first)` : `${matching} completions`;
  }

  async function start() {
    try {
      info = await (await fetch("/api/info")).json();
    } catch (error) {
      serverDown = true;
      showConnection();
    }
    el("cluster-name").textContent = info.cluster ? "cluster " + info.cluster : "";
    for (const column of document.querySelectorAll(".control-column")) column.hidden = !info.control;
    const match = location.pathname.match(/^\/runs\/([^/]+)\/?$/);
    if (match) runPage(decodeURIComponent(match[1])); else overview();
  }

  start();
})();
