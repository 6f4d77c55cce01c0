// Fissure dashboard: reads /api/v1 (report.json and the families' chart data),
// draws interactive charts with uPlot (vendored), replays any past date, and
// follows alerts over server-sent events. No external request, no inline script.
(function () {
  "use strict";

  var T = {
    en: {
      title: "Fissure — market fragility", skip: "Skip to content", report_as_of: "Report as of", as_of: "As of",
      replay: "Replay", latest: "Latest", summary: "Summary", alarms: "Alarms and elevated signals",
      gauge_history: "Gauge history", what_changed: "What changed", alerts: "Alerts", sources: "Data sources",
      api_docs: "API documentation", token_needed: "This server needs a read token:", use_token: "Use token",
      overall: "Overall gauge", weight: "weight", signal: "Signal", value: "Value", percentile: "Percentile",
      state: "State", skill: "Skill", explanation: "Explanation", date: "Date", family: "Family",
      calm: "calm", elevated: "elevated", alarm: "alarm", none: "n/a", no_alarms: "No signal is elevated or in alarm.",
      week: "Last 7 days", month: "Last 30 days", no_changes: "No state changed.", from_to: "from → to",
      id: "Id", name: "Name", source: "Source", unit: "Unit", first: "First", last: "Last", obs: "Observations",
      hit_rate: "hit rate", lead: "median lead", days: "days", false_per_year: "false alarms/yr",
      loading: "loading…", computing: "computing the report for this date…", ready: "up to date",
      live_on: "Listening for alerts.", live_off: "Alert stream disconnected; retrying.", no_alerts: "No alert since the page opened.",
      range: "Range", reset: "Reset", pan_left: "Pan left", pan_right: "Pan right", zoom_in: "Zoom in", zoom_out: "Zoom out",
      chart_help: "Drag to zoom; arrow keys pan, + and − zoom, 0 resets.", signals: "Signals", notes: "Notes",
      methods: "Methods", error: "Error", failed: "failed"
    },
    zh: {
      title: "Fissure — 市场脆弱性", skip: "跳到正文", report_as_of: "报告日期", as_of: "截至日期",
      replay: "回放", latest: "最新", summary: "概要", alarms: "警报与升高的信号",
      gauge_history: "综合指标历史", what_changed: "变化", alerts: "警报推送", sources: "数据来源",
      api_docs: "API 文档", token_needed: "此服务器需要读取令牌：", use_token: "使用令牌",
      overall: "总体指标", weight: "权重", signal: "信号", value: "数值", percentile: "百分位",
      state: "状态", skill: "预警能力", explanation: "说明", date: "日期", family: "类别",
      calm: "平静", elevated: "升高", alarm: "警报", none: "无", no_alarms: "没有处于升高或警报状态的信号。",
      week: "最近7天", month: "最近30天", no_changes: "状态没有变化。", from_to: "从 → 到",
      id: "代码", name: "名称", source: "来源", unit: "单位", first: "起始", last: "最后", obs: "观测数",
      hit_rate: "命中率", lead: "中位提前", days: "天", false_per_year: "每年误报",
      loading: "加载中…", computing: "正在计算该日期的报告…", ready: "已是最新",
      live_on: "正在接收警报。", live_off: "警报连接断开，正在重试。", no_alerts: "页面打开后尚无警报。",
      range: "区间", reset: "重置", pan_left: "左移", pan_right: "右移", zoom_in: "放大", zoom_out: "缩小",
      chart_help: "拖动以放大；方向键平移，+ 和 − 缩放，0 重置。", signals: "信号", notes: "注释",
      methods: "方法", error: "错误", failed: "失败"
    }
  };
  var COLORS = ["#0b4f9c", "#b00020", "#1d6b34", "#8a5300", "#6a1b9a", "#00695c", "#37474f", "#c2185b"];

  var S = {
    lang: localStorage.getItem("fissure.lang") === "zh" ? "zh" : "en",
    asOf: new URLSearchParams(location.search).get("as_of") || "",
    token: sessionStorage.getItem("fissure.token") || "",
    report: null, plots: [], loadSeq: 0, alerts: []
  };
  window.fissure = { state: S, ready: false, charts: 0, points: 0, errors: [] };

  function t(k) { return (T[S.lang] && T[S.lang][k]) || T.en[k] || k; }
  function tx(v) { return v && typeof v === "object" ? (v[S.lang] || v.en || "") : (v == null ? "" : String(v)); }
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function fmtNum(v, digits) {
    if (v == null || !isFinite(v)) return t("none");
    var a = Math.abs(v), d = digits != null ? digits : (a >= 1000 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
    return Number(v).toLocaleString(S.lang === "zh" ? "zh-CN" : "en-GB", { maximumFractionDigits: d, minimumFractionDigits: 0 });
  }
  function fmtPct(p) {
    if (p == null || !isFinite(p)) return t("none");
    var n = Math.round(p);
    if (S.lang === "zh") return "第" + n;
    var s = (n % 100 >= 11 && n % 100 <= 13) ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
    return n + s;
  }
  function fmtDate(d) {
    if (!d) return t("none");
    var p = String(d).split("-");
    if (p.length !== 3) return String(d);
    if (S.lang === "zh") return p[0] + "年" + Number(p[1]) + "月" + Number(p[2]) + "日";
    var m = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][Number(p[1]) - 1];
    return Number(p[2]) + " " + m + " " + p[0];
  }
  function stateEl(s) { var k = s || "none"; return el("span", { class: "state " + k, text: t(k) }); }
  function setStatus(msg) { $("status").textContent = msg; }

  function api(path) {
    var headers = {};
    if (S.token) headers.Authorization = "Bearer " + S.token;
    return fetch(path, { headers: headers }).then(function (r) {
      if (r.status === 401) { $("token-box").hidden = false; }
      return r.json().then(function (body) {
        if (!r.ok) { var e = new Error((body && body.detail) || ("HTTP " + r.status)); e.status = r.status; throw e; }
        return body;
      });
    });
  }
  function q(extra) {
    var p = new URLSearchParams();
    if (S.asOf) p.set("as_of", S.asOf);
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    var s = p.toString();
    return s ? "?" + s : "";
  }

  function applyStatic() {
    document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach(function (e) { e.textContent = t(e.getAttribute("data-i18n")); });
    document.title = t("title");
    $("lang-en").setAttribute("aria-pressed", S.lang === "en" ? "true" : "false");
    $("lang-zh").setAttribute("aria-pressed", S.lang === "zh" ? "true" : "false");
  }

  // ---- summary ------------------------------------------------------------
  function gaugeCard(g, cls, weight) {
    var l = g.latest || {};
    var v = l.value, st = l.state || "none";
    var meter = el("div", { class: "meter", role: "img", "aria-label": fmtNum(v, 0) + " / 100" },
      [el("span", { class: "bg-" + st })]);
    meter.firstChild.style.width = (v != null && isFinite(v) ? Math.max(0, Math.min(100, v)) : 0) + "%";
    return el("div", { class: "gauge " + (cls || "") }, [
      el("div", { class: "name", text: tx(g.title) }),
      el("div", { class: "num", text: fmtNum(v, 0) }),
      meter,
      el("div", {}, [stateEl(l.state), " · " + t("percentile") + " " + fmtPct(l.percentile)]),
      weight != null ? el("div", { class: "muted", text: t("weight") + " " + fmtNum(weight * 100, 0) + "%" }) : null
    ]);
  }
  function renderSummary(r) {
    var box = $("gauges"); box.textContent = "";
    var c = r.composite || {};
    if (c.overall) box.appendChild(gaugeCard(c.overall, "overall"));
    Object.keys(r.families || {}).forEach(function (k) {
      var f = r.families[k];
      if (f.gauge) box.appendChild(gaugeCard(f.gauge, "", f.weight_in_overall));
    });
  }
  function skillText(k) {
    if (!k) return t("none");
    var parts = [];
    if (k.hit_rate != null) parts.push(t("hit_rate") + " " + fmtNum(k.hit_rate * 100, 0) + "% (" + k.hits + "/" + k.events_scored + ")");
    if (k.median_lead_days != null) parts.push(t("lead") + " " + fmtNum(k.median_lead_days, 0) + " " + t("days"));
    if (k.false_alarms_per_year != null) parts.push(t("false_per_year") + " " + fmtNum(k.false_alarms_per_year, 2));
    return parts.join(" · ") || t("none");
  }
  function signalRows(list, withFamily) {
    var head = [t("signal"), t("date"), t("value"), t("percentile"), t("state"), t("skill"), t("explanation")];
    if (withFamily) head.unshift(t("family"));
    var tbody = el("tbody");
    list.forEach(function (s) {
      var l = s.latest || {};
      var cells = [
        el("td", {}, [el("div", { text: tx(s.title) }), el("code", { class: "muted", text: s.id })]),
        el("td", { text: fmtDate(l.date) }),
        el("td", { class: "n", text: fmtNum(l.value) + (s.unit ? " " + s.unit : "") }),
        el("td", { class: "n", text: fmtPct(l.risk_percentile) }),
        el("td", {}, [stateEl(l.state)]),
        el("td", { text: skillText(s.skill) }),
        el("td", { text: tx(s.explanation) })
      ];
      if (withFamily) cells.unshift(el("td", { text: s.family }));
      tbody.appendChild(el("tr", {}, cells));
    });
    return el("table", {}, [el("thead", {}, [el("tr", {}, head.map(function (h) { return el("th", { scope: "col", text: h }); }))]), tbody]);
  }
  function renderAlarms(r) {
    var box = $("alarm-table"); box.textContent = "";
    var rank = { alarm: 2, elevated: 1 };
    var list = [];
    Object.keys(r.families || {}).forEach(function (k) {
      (r.families[k].signals || []).forEach(function (s) {
        var st = s.latest && s.latest.state;
        if (rank[st]) { var c = Object.assign({}, s); c.family = k; list.push(c); }
      });
    });
    list.sort(function (a, b) { return rank[b.latest.state] - rank[a.latest.state] || (b.latest.risk_percentile || 0) - (a.latest.risk_percentile || 0); });
    box.appendChild(list.length ? signalRows(list, true) : el("p", { class: "muted", text: t("no_alarms") }));
  }
  function renderChanges(r) {
    var box = $("changes-body"); box.textContent = "";
    var wc = r.what_changed || {};
    ["week", "month"].forEach(function (k) {
      box.appendChild(el("h3", { text: t(k) }));
      var list = wc[k] || [];
      if (!list.length) { box.appendChild(el("p", { class: "muted", text: t("no_changes") })); return; }
      var ul = el("ul");
      list.forEach(function (c) {
        ul.appendChild(el("li", {}, [tx(c.title) + " (" + c.family + "): ", stateEl(c.from), " → ", stateEl(c.to), el("span", { class: "muted", text: " · " + fmtDate(c.since) })]));
      });
      box.appendChild(ul);
    });
  }
  function renderSources(r) {
    var box = $("sources-body"); box.textContent = "";
    var head = [t("id"), t("name"), t("source"), t("unit"), t("first"), t("last"), t("obs")];
    var tbody = el("tbody");
    (r.sources || []).forEach(function (s) {
      tbody.appendChild(el("tr", {}, [el("td", {}, [el("code", { text: s.id })]), el("td", { text: s.name }), el("td", { text: s.source }),
        el("td", { text: s.unit }), el("td", { text: fmtDate(s.first) }), el("td", { text: fmtDate(s.last) }), el("td", { class: "n", text: fmtNum(s.observations, 0) })]));
    });
    box.appendChild(el("table", {}, [el("thead", {}, [el("tr", {}, head.map(function (h) { return el("th", { scope: "col", text: h }); }))]), tbody]));
  }

  // ---- charts -------------------------------------------------------------
  function toSec(d) { return Date.parse(d + "T00:00:00Z") / 1000; }
  function secToDate(s) { return new Date(s * 1000).toISOString().slice(0, 10); }

  function lineChart(container, title, lines, spans, hlines, logScale) {
    var tables = lines.map(function (l) {
      var xs = [], ys = [];
      for (var i = 0; i < l.dates.length; i++) { var v = l.values[i]; xs.push(toSec(l.dates[i])); ys.push(v == null || !isFinite(v) ? null : v); }
      return [xs, ys];
    });
    var data = tables.length === 1 ? tables[0] : uPlot.join(tables);
    var n = data[0].length;
    if (!n) { container.appendChild(el("p", { class: "muted", text: t("none") })); return null; }
    var positive = data.slice(1).every(function (ys) { return ys.every(function (v) { return v == null || v > 0; }); });
    var xMin = data[0][0], xMax = data[0][n - 1];
    var tools = el("div", { class: "chart-tools" });
    var from = el("input", { type: "date", "aria-label": t("range") + " " + t("first") });
    var to = el("input", { type: "date", "aria-label": t("range") + " " + t("last") });
    var plotEl = el("div", { class: "plot", tabindex: "0", role: "img", "aria-label": title + ". " + t("chart_help") });
    var u, view = null; // uPlot commits scale changes in a microtask: keep the requested range here
    function setRange(a, b) {
      a = Math.max(xMin, a); b = Math.min(xMax, b);
      if (b - a < 86400 * 5) return;
      view = [a, b];
      u.setScale("x", { min: a, max: b });
    }
    function cur() { return view || [u.scales.x.min, u.scales.x.max]; }
    function pan(f) { var c = cur(), w = (c[1] - c[0]) * f; if (c[0] + w < xMin) w = xMin - c[0]; if (c[1] + w > xMax) w = xMax - c[1]; setRange(c[0] + w, c[1] + w); }
    function zoom(f) { var c = cur(), m = (c[0] + c[1]) / 2, h = (c[1] - c[0]) / 2 * f; setRange(m - h, m + h); }
    function btn(label, aria, fn) { var b = el("button", { type: "button", "aria-label": aria, title: aria, text: label }); b.addEventListener("click", fn); return b; }
    tools.appendChild(el("span", { text: t("range") + ":" }));
    tools.appendChild(from); tools.appendChild(to);
    tools.appendChild(btn("◀", t("pan_left"), function () { pan(-0.25); }));
    tools.appendChild(btn("▶", t("pan_right"), function () { pan(0.25); }));
    tools.appendChild(btn("+", t("zoom_in"), function () { zoom(0.5); }));
    tools.appendChild(btn("−", t("zoom_out"), function () { zoom(2); }));
    tools.appendChild(btn(t("reset"), t("reset"), function () { setRange(xMin, xMax); }));
    function onDate() { if (from.value && to.value) setRange(toSec(from.value), toSec(to.value) + 86399); }
    from.addEventListener("change", onDate); to.addEventListener("change", onDate);
    plotEl.addEventListener("keydown", function (e) {
      var k = e.key;
      if (k === "ArrowLeft") pan(-0.1); else if (k === "ArrowRight") pan(0.1);
      else if (k === "+" || k === "=") zoom(0.8); else if (k === "-" || k === "−") zoom(1.25);
      else if (k === "0" || k === "Home") setRange(xMin, xMax); else return;
      e.preventDefault();
    });
    container.appendChild(tools);
    container.appendChild(plotEl);
    var width = Math.max(320, Math.min(1300, (container.clientWidth || 900) - 20));
    var series = [{ label: t("date"), value: function (u, v) { return v == null ? "" : fmtDate(secToDate(v)); } }];
    lines.forEach(function (l, i) {
      series.push({ label: l.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true,
        value: function (u, v) { return v == null ? "–" : fmtNum(v); } });
    });
    var opts = {
      width: width, height: 280, series: series,
      scales: { x: { time: true }, y: { distr: logScale && positive ? 3 : 1 } },
      axes: [{}, { size: 60 }],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx;
          (spans || []).forEach(function (s) {
            var a = u.valToPos(toSec(s.start), "x", true), b = u.valToPos(toSec(s.end), "x", true);
            ctx.fillStyle = "rgba(176,0,32,0.10)";
            ctx.fillRect(Math.min(a, b), u.bbox.top, Math.max(1, Math.abs(b - a)), u.bbox.height);
          });
        }],
        draw: [function (u) {
          var ctx = u.ctx;
          (hlines || []).forEach(function (h) {
            var y = u.valToPos(h[1], "y", true);
            if (!isFinite(y) || y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
            ctx.save(); ctx.strokeStyle = "#4a4a4a"; ctx.setLineDash([4, 4]); ctx.beginPath();
            ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke();
            ctx.fillStyle = "#4a4a4a"; ctx.fillText(h[0], u.bbox.left + 4, y - 3); ctx.restore();
          });
        }],
        setScale: [function (u, key) {
          if (key !== "x") return;
          view = [u.scales.x.min, u.scales.x.max];
          from.value = secToDate(Math.max(xMin, u.scales.x.min));
          to.value = secToDate(Math.min(xMax, u.scales.x.max));
        }]
      }
    };
    u = new uPlot(opts, data, plotEl);
    from.value = secToDate(xMin); to.value = secToDate(xMax);
    plotEl.setAttribute("data-points", String(n));
    plotEl.fissureRange = function () { return [u.scales.x.min, u.scales.x.max]; };
    S.plots.push(u);
    window.fissure.charts += 1;
    window.fissure.points += n;
    return u;
  }

  function chartBox(c) {
    var box = el("figure", { class: "chart-box", id: "chart-" + c.id }, [el("h4", { text: tx(c.title) })]);
    var cap = tx(c.caption);
    if (cap) box.appendChild(el("p", { class: "caption", text: cap }));
    var d = c.data || {};
    if (d.kind === "lines" && window.uPlot) {
      lineChart(box, tx(c.title), d.lines || [], d.spans || [], d.hlines || [], d.log_scale);
    } else if (c.svg) {
      // SVG drawn by the report's own renderer (escaped text, no script).
      var holder = el("div", { class: "svg-chart", role: "img", "aria-label": tx(c.title) });
      holder.innerHTML = c.svg;
      box.appendChild(holder);
      window.fissure.charts += 1;
    }
    return box;
  }

  function renderFamily(key, doc) {
    var sec = $("family-" + key);
    sec.textContent = "";
    sec.appendChild(el("h2", { id: "h-family-" + key, text: tx(doc.title) }));
    if (doc.run && doc.run.error) sec.appendChild(el("p", { class: "error", text: t("error") + ": " + doc.run.error }));
    if (doc.gauge) sec.appendChild(el("div", { class: "gauges" }, [gaugeCard(doc.gauge, "", doc.weight_in_overall)]));
    sec.appendChild(el("h3", { text: t("signals") }));
    var sigs = (doc.signals || []).map(function (s) { var c = Object.assign({}, s); c.family = key; return c; });
    sec.appendChild(signalRows(sigs, false));
    (doc.chart_data || []).forEach(function (c) { sec.appendChild(chartBox(c)); });
    if ((doc.notes || []).length) {
      sec.appendChild(el("h3", { text: t("notes") }));
      doc.notes.forEach(function (n) { sec.appendChild(el("p", { class: "note", text: tx(n) })); });
    }
    if ((doc.methods || []).length) {
      sec.appendChild(el("h3", { text: t("methods") }));
      var ul = el("ul");
      doc.methods.forEach(function (m) { ul.appendChild(el("li", { text: tx(m) })); });
      sec.appendChild(ul);
    }
  }

  function renderGaugeHistory(r) {
    var box = $("gauge-chart"); box.textContent = "";
    var h = (r.composite || {}).history || {};
    var dates = h.dates || [];
    var lines = Object.keys(h.gauges || {}).map(function (id) {
      var g = id === "composite.overall" ? r.composite.overall : (r.composite.families || {})[id];
      return { label: g ? tx(g.title) : id, dates: dates, values: h.gauges[id] };
    });
    var fig = el("figure", { class: "chart-box", id: "chart-gauges" });
    box.appendChild(fig);
    lineChart(fig, t("gauge_history"), lines, [], [["80", 80], ["95", 95]], false);
  }

  function renderToc(r) {
    var nav = $("toc"); nav.textContent = "";
    var items = [["summary", t("summary")], ["alarms", t("alarms")], ["history", t("gauge_history")], ["changes", t("what_changed")], ["live", t("alerts")]];
    Object.keys(r.families || {}).forEach(function (k) { items.push(["family-" + k, tx(r.families[k].title)]); });
    items.push(["sources", t("sources")]);
    items.forEach(function (it) { nav.appendChild(el("a", { href: "#" + it[0], text: it[1] })); });
  }

  function destroyPlots() { S.plots.forEach(function (u) { u.destroy(); }); S.plots = []; window.fissure.charts = 0; window.fissure.points = 0; }

  function load() {
    var seq = ++S.loadSeq;
    window.fissure.ready = false;
    setStatus(S.asOf ? t("computing") : t("loading"));
    return api("/api/v1/report" + q()).then(function (r) {
      if (seq !== S.loadSeq) return;
      S.report = r;
      destroyPlots();
      $("shown-asof").textContent = fmtDate(r.as_of);
      $("shown-asof").setAttribute("data-date", r.as_of);
      if (!$("asof").value || !S.asOf) $("asof").value = r.as_of;
      renderToc(r); renderSummary(r); renderAlarms(r); renderGaugeHistory(r); renderChanges(r); renderSources(r);
      var fams = $("families"); fams.textContent = "";
      var keys = Object.keys(r.families || {});
      keys.forEach(function (k) { fams.appendChild(el("section", { id: "family-" + k, "aria-labelledby": "h-family-" + k }, [el("h2", { text: tx(r.families[k].title) })])); });
      return Promise.all(keys.map(function (k) {
        return api("/api/v1/families/" + encodeURIComponent(k) + q({ lang: S.lang })).then(function (doc) {
          if (seq === S.loadSeq) renderFamily(k, doc);
        });
      })).then(function () {
        if (seq !== S.loadSeq) return;
        setStatus(t("ready"));
        window.fissure.ready = true;
      });
    }).catch(function (e) {
      if (seq !== S.loadSeq) return;
      setStatus(t("error") + ": " + e.message);
      window.fissure.errors.push(e.message);
      window.fissure.ready = true;
    });
  }

  function renderAlerts() {
    var ul = $("alert-list"); ul.textContent = "";
    if (!S.alerts.length) { ul.appendChild(el("li", { class: "muted", text: t("no_alerts") })); return; }
    S.alerts.slice(-50).reverse().forEach(function (a) {
      var what = a.kind === "state_change" ? [stateEl(a.from), " → ", stateEl(a.to)] : [a.kind + " " + fmtNum(a.level) + ": " + fmtNum(Number(a.from)) + " → " + fmtNum(Number(a.to))];
      ul.appendChild(el("li", {}, [el("strong", { text: a.title }), " ", el("code", { class: "muted", text: a.id }), " "].concat(what).concat([el("span", { class: "muted", text: " · " + a.rule + " · " + fmtDate(a.as_of) })])));
    });
  }

  function listen() {
    if (!window.EventSource) return;
    // EventSource cannot send a header: the token goes in the query (accepted on this endpoint only)
    if (S.es) S.es.close();
    var es = S.es = new EventSource("/api/v1/events" + (S.token ? "?token=" + encodeURIComponent(S.token) : ""));
    es.addEventListener("ready", function () { $("live-state").textContent = t("live_on"); });
    es.addEventListener("alert", function (ev) {
      try { S.alerts.push(JSON.parse(ev.data)); } catch (e) { return; }
      renderAlerts();
      if (!S.asOf) load(); // the latest report was rebuilt before the alert was raised
    });
    es.onerror = function () { $("live-state").textContent = t("live_off"); };
  }

  function setLang(l) {
    if (l === S.lang) return;
    S.lang = l; localStorage.setItem("fissure.lang", l);
    applyStatic(); renderAlerts();
    load();
  }

  function init() {
    applyStatic();
    renderAlerts();
    $("lang-en").addEventListener("click", function () { setLang("en"); });
    $("lang-zh").addEventListener("click", function () { setLang("zh"); });
    if (S.asOf) $("asof").value = S.asOf;
    $("asof-form").addEventListener("submit", function (e) {
      e.preventDefault();
      S.asOf = $("asof").value || "";
      var u = new URL(location.href);
      if (S.asOf) u.searchParams.set("as_of", S.asOf); else u.searchParams.delete("as_of");
      history.replaceState(null, "", u.toString());
      load();
    });
    $("latest").addEventListener("click", function () {
      S.asOf = ""; $("asof").value = "";
      var u = new URL(location.href); u.searchParams.delete("as_of"); history.replaceState(null, "", u.toString());
      load();
    });
    $("token-form").addEventListener("submit", function (e) {
      e.preventDefault();
      S.token = $("token").value.trim(); sessionStorage.setItem("fissure.token", S.token);
      $("token-box").hidden = true; load(); listen();
    });
    load();
    listen();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
