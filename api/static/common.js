/* Shared helpers for the Skolebro pages: settings, DOM building, the worker's login token. */
"use strict";

(function () {
  const cfgEl = document.getElementById("skolebro-config");
  const config = cfgEl ? JSON.parse(cfgEl.textContent) : {};
  const TOKEN_KEY = "skolebro.token";

  /** Build an element: el("p", {class: "x", text: "hi"}, [children]). Text is never HTML. */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const danishDate = new Intl.DateTimeFormat("da-DK", {
    day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Copenhagen",
  });
  const danishDateTime = new Intl.DateTimeFormat("da-DK", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: "Europe/Copenhagen",
  });
  function parseDate(value) {
    if (!value) return null;
    // The API sends UTC; some values come without a zone.
    const text = /[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : value + "Z";
    const d = new Date(text);
    return isNaN(d) ? null : d;
  }
  function formatDate(value, withTime) {
    const d = parseDate(value);
    if (!d) return "";
    return (withTime ? danishDateTime : danishDate).format(d);
  }

  // --- the worker's login: a short-lived bearer token in sessionStorage (gone with the tab) --
  const auth = {
    get() {
      try {
        const raw = sessionStorage.getItem(TOKEN_KEY);
        if (!raw) return null;
        const data = JSON.parse(raw);
        if (!data.token || Date.now() > data.expires) {
          sessionStorage.removeItem(TOKEN_KEY);
          return null;
        }
        return data;
      } catch (e) {
        return null;
      }
    },
    set(token, role, seconds) {
      sessionStorage.setItem(TOKEN_KEY, JSON.stringify({
        token, role, expires: Date.now() + (seconds - 10) * 1000,
      }));
    },
    clear() { sessionStorage.removeItem(TOKEN_KEY); },
  };

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(path, options) {
    const opts = Object.assign({ method: "GET", headers: {} }, options || {});
    const session = auth.get();
    if (session) opts.headers.Authorization = "Bearer " + session.token;
    if (opts.json !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    let resp;
    try {
      resp = await fetch(config.apiBase + path, opts);
    } catch (e) {
      throw new ApiError(0, "Der er ingen forbindelse til serveren. Prøv igen.");
    }
    if (resp.status === 401) auth.clear();
    if (!resp.ok) {
      let detail = "Der skete en fejl (" + resp.status + ").";
      try { detail = (await resp.json()).detail || detail; } catch (e) { /* not JSON */ }
      throw new ApiError(resp.status, detail);
    }
    const type = resp.headers.get("content-type") || "";
    return type.includes("json") ? resp.json() : resp.text();
  }

  /** Show the login form until a token with one of `roles` exists; resolves with the session. */
  function requireLogin(roles, reason) {
    const section = document.getElementById("login");
    const form = document.getElementById("login-form");
    const error = document.getElementById("login-error");
    const logout = document.getElementById("logout");
    if (logout) {
      logout.addEventListener("click", () => {
        auth.clear();
        location.reload();
      });
    }
    const current = auth.get();
    if (current && roles.includes(current.role)) {
      if (logout) logout.hidden = false;
      return Promise.resolve(current);
    }
    section.hidden = false;
    if (reason) {
      const note = document.getElementById("login-reason");
      note.textContent = reason;
      note.hidden = false;
    }
    document.getElementById("username").focus();
    return new Promise((resolve) => {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        error.hidden = true;
        const body = new URLSearchParams();
        body.set("username", form.username.value.trim());
        body.set("password", form.password.value);
        if (!body.get("username") || !body.get("password")) {
          error.textContent = "Skriv brugernavn og adgangskode.";
          error.hidden = false;
          return;
        }
        // First login with a given password: choose a new one (X-Password-Change: required).
        const fresh = document.getElementById("new-password-fields");
        let url = config.apiBase + "/auth/token";
        if (fresh && !fresh.hidden) {
          if (form.new_password.value !== form.new_password_again.value) {
            error.textContent = "De to nye adgangskoder er ikke ens.";
            error.hidden = false;
            return;
          }
          body.set("new_password", form.new_password.value);
          url = config.apiBase + "/auth/password";
        }
        try {
          const resp = await fetch(url, { method: "POST", body });
          const data = await resp.json().catch(() => ({}));
          if (fresh && resp.headers.get("X-Password-Change") === "required") {
            fresh.hidden = false;
            form.new_password.focus();
          }
          if (!resp.ok) throw new Error(data.detail || "Log ind mislykkedes.");
          if (!roles.includes(data.role)) {
            throw new Error("Din rolle har ikke adgang til denne side.");
          }
          auth.set(data.access_token, data.role, data.expires_in);
          form.password.value = "";
          if (fresh) {
            fresh.hidden = true;
            form.new_password.value = form.new_password_again.value = "";
          }
          section.hidden = true;
          if (logout) logout.hidden = false;
          resolve(auth.get());
        } catch (e) {
          error.textContent = e.message;
          error.hidden = false;
          form.password.focus();
        }
      });
    });
  }

  /** After a 401 in the middle of work: back to the login form (the page reloads). */
  function handleAuthError(err) {
    if (err && err.status === 401) {
      auth.clear();
      location.reload();
      return true;
    }
    return false;
  }

  window.Skolebro = { config, el, api, auth, ApiError, requireLogin, handleAuthError,
    formatDate, parseDate };
})();
