// Structure checks for the XML manifest (SPEC §10), offline: what Microsoft's validator would
// refuse and what only breaks at run time in Outlook. checkManifest() returns every problem as
// a line of text; an empty list means the manifest passes. The limits are Microsoft's (manifest
// reference: Resources, String, Control; Smart Alerts; the unified manifest's 80-character
// short description).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { DOMParser } from "@xmldom/xmldom";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const HANDLER_FILE = join(ROOT, "addin-ui/static/launchevent.js");

export const LIMITS = {
  resid: 32,
  shortString: 125,
  longString: 250,
  url: 2048,
  controlId: 125,
  groupId: 125,
  displayName: 30, // the unified manifest's name.short
  description: 80, // the unified manifest's description.short
};
/** The VersionOverrides requirement the OnMessageSend event needs. */
const LAUNCH_EVENT_MAILBOX = "1.12";

const NS_XSI = "http://www.w3.org/2001/XMLSchema-instance";
/** Which kind of resource an element with `resid` must point at. */
const RESID_KIND = {
  "bt:Image": "image",
  Label: "short",
  Title: "short",
  Description: "long",
  SourceLocation: "url",
  FunctionFile: "url",
  Runtime: "url",
  Override: "url",
};
const RESOURCE_KIND = {
  "bt:Images": "image",
  "bt:Urls": "url",
  "bt:ShortStrings": "short",
  "bt:LongStrings": "long",
};

function elements(node) {
  const found = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1) found.push(child);
  }
  return found;
}

function descendants(node, name) {
  const found = [];
  const walk = (parent) => {
    for (const child of elements(parent)) {
      if (!name || child.nodeName === name) found.push(child);
      walk(child);
    }
  };
  walk(node);
  return found;
}

function child(node, name) {
  return elements(node).find((element) => element.nodeName === name);
}

function text(node) {
  return node ? node.textContent.trim() : "";
}

/** The nearest enclosing VersionOverrides, where resources are looked up. */
function level(node) {
  for (let parent = node.parentNode; parent; parent = parent.parentNode) {
    if (parent.nodeName === "VersionOverrides") return parent;
  }
  return null;
}

function version(value) {
  return String(value).split(".").map(Number);
}

function atLeast(value, minimum) {
  const a = version(value);
  const b = version(minimum);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  }
  return true;
}

/**
 * Every problem of a rendered manifest. `handlerSource` is launchevent.js (its associations
 * and the commandId it uses); `iconSize(url)` gives an icon's pixel size or null when missing.
 */
export function checkManifest(xml, { handlerSource, iconSize } = {}) {
  const problems = [];
  const errors = [];
  let doc = null;
  try {
    doc = new DOMParser({
      onError: (level, message) => errors.push(`${level}: ${message}`),
    }).parseFromString(xml, "text/xml");
  } catch (error) {
    errors.push(error.message);
  }
  if (errors.length || !doc || !doc.documentElement) {
    return [`the manifest is not well-formed XML: ${errors.join("; ")}`];
  }
  const root = doc.documentElement;
  if (root.nodeName !== "OfficeApp" || root.getAttributeNS(NS_XSI, "type") !== "MailApp") {
    problems.push("the root is not <OfficeApp xsi:type=\"MailApp\">");
  }

  checkIdentity(root, problems);
  const appDomains = descendants(root, "AppDomain").map(text);
  checkUrls(root, appDomains, problems);
  const levels = descendants(root, "VersionOverrides");
  if (!levels.some((node) => node.getAttributeNS(NS_XSI, "type") === "VersionOverridesV1_1")) {
    problems.push("no VersionOverridesV1_1: Outlook would not see the send event");
  }
  for (const node of levels) checkLevel(node, problems);
  checkLaunchEvent(root, handlerSource, problems);
  checkCommandId(root, handlerSource, problems);
  if (iconSize) checkIcons(root, iconSize, problems);
  return problems;
}

function checkIdentity(root, problems) {
  const id = text(child(root, "Id"));
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    problems.push(`<Id> "${id}" is not a GUID`);
  }
  const ver = text(child(root, "Version"));
  if (!/^\d+(\.\d+){0,3}$/.test(ver) || !atLeast(ver, "1.0.0.0")) {
    problems.push(`<Version> "${ver}" must be at least 1.0.0.0`);
  }
  if (!text(child(root, "DefaultLocale"))) problems.push("no <DefaultLocale>");
  if (text(child(root, "Permissions")) !== "ReadWriteMailbox") {
    problems.push("<Permissions> must be ReadWriteMailbox (item.sendAsync needs it)");
  }
  for (const [name, limit] of [
    ["DisplayName", LIMITS.displayName],
    ["Description", LIMITS.description],
  ]) {
    const node = child(root, name);
    if (!node) {
      problems.push(`no <${name}>`);
      continue;
    }
    for (const value of localised(node, "Value")) {
      if (!value || value.length > limit) {
        problems.push(`<${name}> "${value}" must have 1 to ${limit} characters`);
      }
    }
  }
}

/** DefaultValue and every Override's value of a localisable element. */
function localised(node, overrideAttribute) {
  return [node.getAttribute("DefaultValue")].concat(
    elements(node)
      .filter((element) => element.nodeName.endsWith("Override"))
      .map((element) => element.getAttribute(overrideAttribute))
  );
}

/** Every URL is https and inside an AppDomain (the add-in's own origin). */
function checkUrls(root, appDomains, problems) {
  if (appDomains.length === 0) problems.push("no <AppDomain>: the add-in's origin must be listed");
  for (const domain of appDomains) {
    if (!/^https:\/\/[^/]+/.test(domain) || domain.endsWith("/")) {
      problems.push(`<AppDomain> "${domain}" must be https:// without a trailing slash`);
    }
  }
  const urls = [];
  for (const name of ["IconUrl", "HighResolutionIconUrl", "SupportUrl", "SourceLocation"]) {
    for (const node of descendants(root, name)) {
      if (node.hasAttribute("DefaultValue")) urls.push([name, node.getAttribute("DefaultValue")]);
    }
  }
  for (const node of descendants(root).filter((n) => n.nodeName === "bt:Url" || n.nodeName === "bt:Image")) {
    if (!node.hasAttribute("id")) continue; // an icon reference, not a resource
    for (const value of localised(node, "Value")) urls.push([`${node.nodeName} ${node.getAttribute("id")}`, value]);
  }
  for (const [where, url] of urls) {
    if (!/^https:\/\//.test(url || "")) {
      problems.push(`${where}: "${url}" is not https://`);
    } else if (!appDomains.some((domain) => url === domain || url.startsWith(`${domain}/`))) {
      problems.push(`${where}: "${url}" is outside every <AppDomain>`);
    }
    if (url && url.length > LIMITS.url) problems.push(`${where}: longer than ${LIMITS.url}`);
  }
}

/** One VersionOverrides level: its resources, and every resid inside it. */
function checkLevel(node, problems) {
  const type = node.getAttributeNS(NS_XSI, "type");
  const resources = new Map();
  const resourcesNode = child(node, "Resources");
  if (resourcesNode) {
    for (const group of elements(resourcesNode)) {
      const kind = RESOURCE_KIND[group.nodeName];
      if (!kind) {
        problems.push(`${type}: unknown resource group <${group.nodeName}>`);
        continue;
      }
      for (const resource of elements(group)) {
        const id = resource.getAttribute("id");
        if (!id || id.length > LIMITS.resid) {
          problems.push(`${type}: resource id "${id}" must have 1 to ${LIMITS.resid} characters`);
        }
        if (resources.has(id)) problems.push(`${type}: resource id "${id}" is not unique`);
        resources.set(id, kind);
        const limit = { short: LIMITS.shortString, long: LIMITS.longString }[kind];
        if (!limit) continue;
        for (const value of localised(resource, "Value")) {
          if (!value || value.length > limit) {
            problems.push(`${type}: string "${id}" must have 1 to ${limit} characters: "${value}"`);
          }
        }
      }
    }
  }
  // resids inside this level but not inside a nested level
  for (const element of descendants(node).filter((e) => e.hasAttribute("resid") && level(e) === node)) {
    const resid = element.getAttribute("resid");
    const expected = RESID_KIND[element.nodeName];
    const found = resources.get(resid);
    if (!found) {
      problems.push(`${type}: <${element.nodeName} resid="${resid}"> does not resolve to a resource`);
    } else if (expected && found !== expected) {
      problems.push(`${type}: <${element.nodeName} resid="${resid}"> must name a ${expected} resource, not a ${found} one`);
    }
  }
  for (const [name, limit] of [
    ["Control", LIMITS.controlId],
    ["Group", LIMITS.groupId],
  ]) {
    const ids = descendants(node, name)
      .filter((element) => level(element) === node)
      .map((element) => element.getAttribute("id"));
    for (const id of ids) {
      if (!id || id.length > limit) problems.push(`${type}: <${name}> id "${id}" must have 1 to ${limit} characters`);
      if (ids.indexOf(id) !== ids.lastIndexOf(id)) problems.push(`${type}: <${name}> id "${id}" is not unique`);
    }
  }
  for (const control of descendants(node, "Control").filter((element) => level(element) === node)) {
    const sizes = descendants(control, "bt:Image").map((image) => image.getAttribute("size"));
    for (const size of ["16", "32", "80"]) {
      if (!sizes.includes(size)) problems.push(`${type}: control "${control.getAttribute("id")}" has no ${size} px icon`);
    }
  }
  if (type === "VersionOverridesV1_1") {
    const sets = descendants(child(node, "Requirements") || node, "bt:Sets")[0];
    const minimum = sets && sets.getAttribute("DefaultMinVersion");
    if (!minimum || !atLeast(minimum, LAUNCH_EVENT_MAILBOX)) {
      problems.push(`VersionOverridesV1_1 must require Mailbox ${LAUNCH_EVENT_MAILBOX} (the send event), not ${minimum}`);
    }
  }
}

/** The OnMessageSend launch event: SoftBlock, a handler that launchevent.js associates, and a
 *  runtime with the HTML page and the JavaScript file for classic Outlook. */
function checkLaunchEvent(root, handlerSource, problems) {
  const events = descendants(root, "LaunchEvent").filter((e) => e.getAttribute("Type") === "OnMessageSend");
  if (events.length !== 1) {
    problems.push(`exactly one OnMessageSend <LaunchEvent> is needed, found ${events.length}`);
    return;
  }
  const event = events[0];
  if (event.getAttribute("SendMode") !== "SoftBlock") {
    problems.push(`OnMessageSend SendMode must be SoftBlock (the user can still send when the add-in is down), not "${event.getAttribute("SendMode")}"`);
  }
  const name = event.getAttribute("FunctionName");
  if (!name) {
    problems.push("OnMessageSend has no FunctionName");
  } else if (handlerSource !== undefined && !handlerSource.includes(`Office.actions.associate("${name}"`)) {
    problems.push(`FunctionName "${name}" is not associated in launchevent.js (Office.actions.associate("${name}", …))`);
  }
  const extensionPoint = event.parentNode && event.parentNode.parentNode;
  const source = extensionPoint && child(extensionPoint, "SourceLocation");
  const runtimes = descendants(root, "Runtime").map((runtime) => runtime.getAttribute("resid"));
  if (!source || !runtimes.includes(source.getAttribute("resid"))) {
    problems.push("the LaunchEvent's SourceLocation must be one of the <Runtimes>");
  }
  const scriptOverride = descendants(root, "Runtime")
    .flatMap((runtime) => elements(runtime))
    .find((override) => override.getAttribute("type") === "javascript");
  if (!scriptOverride) problems.push("the runtime has no JavaScript override for classic Outlook");
}

/** The commandId launchevent.js gives the Smart Alerts dialog is a task pane button here. */
function checkCommandId(root, handlerSource, problems) {
  if (handlerSource === undefined) return;
  const match = /PANEL_COMMAND_ID = "([^"]+)"/.exec(handlerSource);
  if (!match) {
    problems.push("launchevent.js names no PANEL_COMMAND_ID");
    return;
  }
  const control = descendants(root, "Control").find((element) => element.getAttribute("id") === match[1]);
  const action = control && child(control, "Action");
  if (!control || control.getAttributeNS(NS_XSI, "type") !== "Button" || !action || action.getAttributeNS(NS_XSI, "type") !== "ShowTaskpane") {
    problems.push(`launchevent.js's commandId "${match[1]}" is not a task pane <Control xsi:type="Button"> in the manifest`);
  }
}

/** Every icon exists at the size the manifest declares. */
function checkIcons(root, iconSize, problems) {
  const declared = [];
  const iconUrl = child(root, "IconUrl");
  const highRes = child(root, "HighResolutionIconUrl");
  if (iconUrl) declared.push([iconUrl.getAttribute("DefaultValue"), 64]);
  if (highRes) declared.push([highRes.getAttribute("DefaultValue"), 128]);
  for (const node of descendants(root, "VersionOverrides")) {
    const images = new Map();
    const resources = child(node, "Resources");
    for (const image of resources ? descendants(resources, "bt:Image") : []) images.set(image.getAttribute("id"), image.getAttribute("DefaultValue"));
    for (const icon of descendants(node, "Icon").filter((element) => level(element) === node)) {
      for (const image of elements(icon)) {
        const url = images.get(image.getAttribute("resid"));
        if (url) declared.push([url, Number(image.getAttribute("size"))]);
      }
    }
  }
  for (const [url, size] of declared) {
    const actual = iconSize(url);
    if (actual === null) problems.push(`icon ${url} does not exist`);
    else if (actual !== size) problems.push(`icon ${url} is ${actual} px, not ${size} px`);
  }
}

/** An icon's width from its PNG header, for icons under `${baseUrl}/assets/`; null if missing. */
export function pngSizeFor(baseUrl) {
  return (url) => {
    const prefix = `${baseUrl}/assets/`;
    if (!url.startsWith(prefix)) return null;
    try {
      const png = readFileSync(join(ROOT, "assets", url.slice(prefix.length)));
      if (png.subarray(1, 4).toString() !== "PNG") return null;
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      return width === height ? width : -1;
    } catch {
      return null;
    }
  };
}
