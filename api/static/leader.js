/* The leader's page: the anonymous, aggregated statistics as charts and tables. */
"use strict";

(function () {
  const S = window.Skolebro;
  const { el, api } = S;
  const SECTIONS = [
    ["cases", "Sager i alt"],
    ["urgent", "Hastesager"],
    ["per_month", "Nye sager pr. måned"],
    ["status", "Sager pr. status"],
    ["grades", "Sager pr. klassetrin"],
    ["areas", "Sager pr. område (årsager)"],
    ["signals", "Sager pr. signal"],
  ];

  async function leaderPage() {
    await S.requireLogin(["leader", "admin"], "Log ind som leder for at se statistikken.");
    const section = document.getElementById("stats");
    const target = document.getElementById("stats-sections");
    const note = document.getElementById("stats-note");
    let data;
    try {
      data = await api("/stats");
    } catch (err) {
      if (S.handleAuthError(err)) return;
      note.textContent = err.message;
      section.hidden = false;
      return;
    }
    note.textContent = "Tallene er anonyme. Grupper med færre end " + data.min_group_size +
      " sager vises ikke eller lægges sammen, så ingen elev kan genkendes.";
    target.replaceChildren(...SECTIONS.map(([key, title], i) =>
      block("stat-" + i, title, data[key])));
    section.hidden = false;
  }

  function block(id, title, sec) {
    const groups = (sec && sec.groups) || [];
    const children = [el("h3", { id, text: title })];
    if (!groups.length || (sec.withheld && !groups.length)) {
      children.push(el("p", { text: "For få sager til at vise tal." }));
    } else {
      const fig = el("figure", { class: "chart" });
      fig.append(window.SkolebroCharts.barChart(title, groups));
      children.push(fig);
      children.push(el("div", { class: "table-wrap" }, [el("table", {}, [
        el("caption", { class: "visually-hidden", text: title + " som tabel" }),
        el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Gruppe" }),
          el("th", { scope: "col", text: "Antal" })])]),
        el("tbody", {}, groups.map((g) => el("tr", {}, [el("th", { scope: "row",
          text: g.label }), el("td", { text: String(g.count) })]))),
      ])]));
    }
    if (sec && sec.merged_groups) {
      children.push(el("p", { class: "disclosure", text: sec.merged_groups +
        " små grupper er lagt sammen." }));
    }
    return el("section", { class: "panel", "aria-labelledby": id }, children);
  }

  leaderPage();
})();
