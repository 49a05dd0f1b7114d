/* The school contact worker's pages: case list, one case, and the printable forms. */
"use strict";

(function () {
  const S = window.Skolebro;
  const { config, el, api } = S;
  const STATUS_LABELS = { ny: "Ny", kontaktet: "Kontaktet", "i gang": "I gang",
    afsluttet: "Afsluttet" };
  // Mirrors bot/cases.py TRANSITIONS; the API has the last word (409 otherwise).
  const TRANSITIONS = { ny: ["kontaktet", "i gang", "afsluttet"], kontaktet: ["i gang",
    "afsluttet"], "i gang": ["afsluttet"], afsluttet: ["i gang"] };

  function klasse(grade) {
    if (grade === null || grade === undefined || grade === "") return "";
    return grade === 0 ? "Børnehaveklasse" : grade + ". klasse";
  }

  function fail(target, err) {
    if (S.handleAuthError(err)) return;
    target.textContent = err.message || String(err);
    target.hidden = false;
  }

  // --- case list ------------------------------------------------------------------------
  async function casesPage() {
    await S.requireLogin(["worker"],
      "Log ind som skolekontaktperson for at se dine sager.");
    const section = document.getElementById("cases");
    const form = document.getElementById("filter");
    const select = document.getElementById("status-filter");
    const status = document.getElementById("cases-status");
    const tbody = document.querySelector("#case-table tbody");
    section.hidden = false;
    const params = new URLSearchParams(location.search);
    select.value = params.get("status") || "";

    async function refresh() {
      status.textContent = "Henter sager …";
      const q = select.value ? "?status=" + encodeURIComponent(select.value) : "";
      try {
        const rows = await api("/cases" + q);
        // Urgent first (the API does this too), newest first within each group.
        rows.sort((a, b) => (b.urgent - a.urgent) ||
          (S.parseDate(b.created_at) - S.parseDate(a.created_at)));
        tbody.replaceChildren(...rows.map(row));
        status.textContent = rows.length === 1 ? "1 sag." : rows.length + " sager.";
      } catch (err) {
        fail(status, err);
      }
    }
    function row(c) {
      const link = el("a", { href: "/medarbejder/sag?id=" + c.id,
        text: c.reference || "Sag " + c.id });
      return el("tr", { class: c.urgent ? "urgent" : "" }, [
        el("td", {}, [c.urgent ? el("span", { class: "badge urgent", text: "Haster" }) : ""]),
        el("td", {}, [link]),
        el("td", { text: c.pupil_alias || "" }),
        el("td", { text: klasse(c.grade) }),
        el("td", {}, [c.school || "",
          c.triage ? el("span", { class: "badge", text: "Visitation: skole ukendt" }) : ""]),
        el("td", { text: STATUS_LABELS[c.status] || c.status }),
        el("td", { text: S.formatDate(c.created_at) }),
      ]);
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const p = new URLSearchParams();
      if (select.value) p.set("status", select.value);
      history.replaceState(null, "", location.pathname + (p.toString() ? "?" + p : ""));
      refresh();
    });
    await refresh();
  }

  // --- one case -------------------------------------------------------------------------
  async function casePage() {
    await S.requireLogin(["worker"], "Log ind for at se sagen.");
    const id = new URLSearchParams(location.search).get("id");
    const error = document.getElementById("case-error");
    if (!id || !/^\d+$/.test(id)) {
      error.textContent = "Der mangler et sagsnummer i adressen.";
      error.hidden = false;
      return;
    }
    let data;
    try {
      data = await api("/cases/" + id);
    } catch (err) {
      fail(error, err);
      return;
    }
    const c = data.case;
    const name = c.pupil_alias || "Elev";
    document.title = (c.reference || "Sag") + " – " + name + " – Skolebro";
    document.getElementById("case-title").textContent = name + " · " + (c.reference || "");
    const meta = () => {
      document.getElementById("case-meta").textContent = [klasse(c.grade), c.school,
        "Oprettet " + S.formatDate(c.created_at),
        "Status: " + (STATUS_LABELS[c.status] || c.status)].filter(Boolean).join(" · ");
    };
    meta();
    document.getElementById("case-urgent").hidden = !c.urgent;
    const consent = document.getElementById("case-consent");
    consent.textContent = c.consent_rule ? "Samtykke: " + c.consent_rule + "." : "";
    consent.classList.toggle("urgent-banner", Boolean(c.parents_must_be_involved));
    document.getElementById("print-link").href = "/medarbejder/udskriv?id=" + c.id +
      "&hvad=skema";
    document.getElementById("summary-link").href = "/medarbejder/udskriv?id=" + c.id +
      "&hvad=resume";
    document.getElementById("case").hidden = false;

    keyPoints(data.summary);
    statusForm(c, meta);
    absenceForm(c);
    profile(data.profile);
    notes(c.id, data.notes);
    invitation(c.id);
    summary(c.id);
  }

  // Three lines on the first screen: danger first, then the main areas, then the hypothesis.
  function keyPoints(summary) {
    const list = document.getElementById("key-points-list");
    const points = (summary && summary.key_points) || [];
    const urgent = Boolean(summary && summary.urgent && summary.urgent.length);
    list.replaceChildren(...points.map((text, i) =>
      el("li", {}, [i === 0 && urgent ? el("strong", { text }) : text])));
    document.getElementById("key-points").hidden = !points.length;
  }

  // The school's registration (type and percent), copied by the worker onto the case.
  function absenceForm(c) {
    const form = document.getElementById("absence-form");
    const type = document.getElementById("absence-type");
    const percent = document.getElementById("absence-percent");
    const msg = document.getElementById("absence-msg");
    type.value = c.absence_type || "";
    percent.value = c.registered_absence_percent ?? "";
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = percent.value.trim().replace(",", ".");
      if (value && !(Number(value) >= 0 && Number(value) <= 100)) {
        msg.textContent = "Skriv et tal fra 0 til 100.";
        percent.focus();
        return;
      }
      try {
        const out = await api("/cases/" + c.id + "/absence", { method: "PUT", json: {
          absence_type: type.value || null,
          registered_absence_percent: value ? Number(value) : null } });
        c.absence_type = out.absence_type;
        c.registered_absence_percent = out.registered_absence_percent;
        msg.textContent = "Skolens registrering er gemt.";
      } catch (err) {
        fail(msg, err);
      }
    });
  }

  function statusForm(c, onChange) {
    const select = document.getElementById("status-select");
    const msg = document.getElementById("status-msg");
    const form = document.getElementById("status-form");
    let current = c.status;
    function fill() {
      select.replaceChildren(...(TRANSITIONS[current] || []).map((s) =>
        el("option", { value: s, text: STATUS_LABELS[s] })));
      form.hidden = !select.options.length;
      msg.textContent = "Nuværende status: " + (STATUS_LABELS[current] || current) + ".";
    }
    fill();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const out = await api("/cases/" + c.id, { method: "PATCH",
          json: { status: select.value } });
        current = out.status;
        c.status = current;
        onChange();
        fill();
        msg.textContent = "Status er ændret til " + (STATUS_LABELS[current] || current) + ".";
      } catch (err) {
        fail(msg, err);
      }
    });
  }

  function profile(p) {
    const chart = document.getElementById("profile-chart");
    const tableWrap = document.getElementById("profile-table");
    if (!p || !p.areas) {
      chart.replaceChildren(el("p", { text: "Der er ingen profil endnu." }));
      return;
    }
    const titles = Object.fromEntries(config.areas.map((a) => [a.key, a.title]));
    const byKey = Object.fromEntries(p.areas.map((a) => [a.area, a]));
    const rows = config.areas.map((a) => {
      const res = byKey[a.key] || {};
      const by = res.level_by_role || {};
      return { key: a.key, title: titles[a.key], parent: by.parent ?? null,
        pupil: by.pupil ?? null, level: res.level ?? null,
        primary: (p.primary_areas || []).includes(a.key) };
    });
    chart.replaceChildren(
      window.SkolebroCharts.profileChart(rows, config.levels),
      el("figcaption", {}, [
        el("ul", { class: "legend" }, [
          el("li", {}, [el("span", { class: "swatch parent", "aria-hidden": "true" }),
            "Forælder (fyldt)"]),
          el("li", {}, [el("span", { class: "swatch pupil", "aria-hidden": "true" }),
            "Elev (skraveret)"]),
        ]),
        "Niveau 0–3 pr. område. Ukendt betyder, at der ikke er svar.",
      ]),
    );
    const lv = (x) => (x === null ? "Ukendt" : config.levels[String(x)] || x);
    tableWrap.replaceChildren(el("table", {}, [
      el("caption", { class: "visually-hidden", text: "Årsagsprofil som tabel" }),
      el("thead", {}, [el("tr", {}, [
        el("th", { scope: "col", text: "Område" }), el("th", { scope: "col", text: "Forælder" }),
        el("th", { scope: "col", text: "Elev" }), el("th", { scope: "col", text: "Samlet" }),
      ])]),
      el("tbody", {}, rows.map((r) => el("tr", {}, [
        el("th", { scope: "row", text: r.title + (r.primary ? " (vigtigst)" : "") }),
        el("td", { text: lv(r.parent) }), el("td", { text: lv(r.pupil) }),
        el("td", { text: lv(r.level) }),
      ]))),
    ]));
  }

  async function summary(id) {
    const target = document.getElementById("summary");
    try {
      const html = await api("/cases/" + id + "/summary.html");
      // The parsed document shares this page's CSP, so its <style> is dropped before parsing
      // (it would only be blocked and logged).
      const doc = new DOMParser().parseFromString(
        html.replace(/<style[\s\S]*?<\/style>/gi, ""), "text/html");
      // The HTML is escaped on the server; strip anything active all the same.
      doc.querySelectorAll("script, style, link, iframe, object, embed, form").forEach(
        (n) => n.remove());
      doc.querySelectorAll("*").forEach((n) => {
        for (const attr of [...n.attributes]) {
          if (/^on/i.test(attr.name) || attr.name === "style") n.removeAttribute(attr.name);
        }
      });
      // "Det vigtigste" is already at the top of the case page.
      doc.querySelectorAll("#key-points").forEach((n) => n.remove());
      const header = doc.querySelector("body > header h1");
      if (header) header.remove();
      // Headings sit under this page's h2.
      for (const [from, to] of [["h3", "h4"], ["h2", "h3"], ["h1", "h3"]]) {
        doc.querySelectorAll(from).forEach((h) => {
          const n = doc.createElement(to);
          n.append(...h.childNodes);
          if (h.className) n.className = h.className;
          h.replaceWith(n);
        });
      }
      target.replaceChildren(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
    } catch (err) {
      target.replaceChildren();
      const p = el("p", { class: "error" });
      target.append(p);
      fail(p, err);
    }
  }

  function notes(id, list) {
    const ul = document.getElementById("notes");
    const form = document.getElementById("note-form");
    const text = document.getElementById("note-text");
    const msg = document.getElementById("note-msg");
    function item(n) {
      return el("li", {}, [
        el("span", { class: "meta", text: (n.author || "") + " · " + S.formatDate(n.created_at,
          true) }),
        n.text,
      ]);
    }
    ul.replaceChildren(...list.map(item));
    if (!list.length) ul.append(el("li", { class: "empty", text: "Ingen notater endnu." }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = text.value.trim();
      if (!value) {
        msg.textContent = "Skriv en tekst først.";
        text.focus();
        return;
      }
      try {
        const note = await api("/cases/" + id + "/notes", { method: "POST",
          json: { text: value } });
        const empty = ul.querySelector(".empty");
        if (empty) empty.remove();
        ul.append(item(note));
        text.value = "";
        msg.textContent = "Notatet er gemt.";
      } catch (err) {
        fail(msg, err);
      }
    });
  }

  function invitation(id) {
    const button = document.getElementById("invite");
    const out = document.getElementById("invitation");
    document.getElementById("pupil-url").textContent = config.publicBase + "/elev";
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const inv = await api("/cases/" + id + "/invitations", { method: "POST", json: {} });
        const link = config.publicBase + "/elev?kode=" + encodeURIComponent(inv.code);
        out.replaceChildren(
          el("img", { src: "/elev/qr.svg?kode=" + encodeURIComponent(inv.code),
            alt: "QR-kode, der åbner elevens link med koden " + inv.code, width: 192,
            height: 192 }),
          el("div", {}, [
            el("p", {}, ["Kode: ", el("span", { class: "code", id: "invitation-code",
              text: inv.code })]),
            el("p", {}, ["Link: ", el("a", { href: link, id: "invitation-link", text: link })]),
            el("p", { text: "Gælder til " + S.formatDate(inv.expires_at) + "." }),
          ]),
        );
      } catch (err) {
        fail(out, err);
      } finally {
        button.disabled = false;
      }
    });
  }

  // --- printable forms --------------------------------------------------------------------
  async function printPage() {
    await S.requireLogin(["worker"], "Log ind for at udskrive.");
    const params = new URLSearchParams(location.search);
    const id = params.get("id");
    const what = params.get("hvad") === "resume" ? "summary.html" : "registreringsskema";
    const status = document.getElementById("print-status");
    if (!id || !/^\d+$/.test(id)) {
      status.textContent = "Der mangler et sagsnummer i adressen.";
      return;
    }
    let html;
    try {
      html = await api("/cases/" + id + "/" + what);
    } catch (err) {
      fail(status, err);
      return;
    }
    // Replace this page with the printable document (it has its own print styles), and add
    // a toolbar that is hidden on paper.
    document.open();
    document.write(html);
    document.close();
    const bar = document.createElement("nav");
    bar.className = "no-print";
    bar.setAttribute("aria-label", "Udskrift");
    bar.style.cssText = "display:flex;gap:1rem;padding:.5rem 0;";
    const back = document.createElement("a");
    back.href = "/medarbejder/sag?id=" + id;
    back.textContent = "Tilbage til sagen";
    const print = document.createElement("button");
    print.type = "button";
    print.textContent = "Udskriv";
    print.addEventListener("click", () => window.print());
    bar.append(back, print);
    document.body.prepend(bar);
    const style = document.createElement("style");
    style.textContent = "@media print { .no-print { display: none !important; } }";
    document.head.append(style);
  }

  const pages = { sager: casesPage, sag: casePage, udskriv: printPage };
  const run = pages[config.page];
  if (run) run();
})();
