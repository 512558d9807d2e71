// The XML manifest's structure (SPEC §10), offline. The real manifest passes; deliberately
// broken variants of it are each caught, so a passing run means something.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";

import { renderXml } from "../../scripts/manifest-json.mjs";
import { HANDLER_FILE, checkManifest, pngSizeFor } from "./structure.mjs";

const BASE_URL = "https://sendsecure.example.nl";
const ADDIN_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const XML = renderXml(BASE_URL, ADDIN_ID);
const HANDLER = readFileSync(HANDLER_FILE, "utf8");

function check(xml, handlerSource = HANDLER) {
  return checkManifest(xml, { handlerSource, iconSize: pngSizeFor(BASE_URL) });
}

/** `xml` with `from` replaced by `to`, failing loudly if `from` is not there. */
function broken(from, to, xml = XML) {
  assert.ok(xml.includes(from), `the manifest holds ${from}`);
  return xml.replace(from, to);
}

test("the manifest passes every structure check", () => {
  assert.deepEqual(check(XML), []);
});

test("the template has no placeholder left once rendered", () => {
  assert.doesNotMatch(XML, /\{\{/);
  assert.match(XML, new RegExp(`<Id>${ADDIN_ID}</Id>`));
});

const BROKEN = [
  ["not well-formed", broken("</OfficeApp>", ""), /not well-formed/],
  ["a resid that does not resolve", broken('<Description resid="Button.Tooltip"/>', '<Description resid="Button.Missing"/>'), /"Button.Missing"> does not resolve/],
  ["a resid of the wrong kind", broken('<Label resid="Button.Label"/>', '<Label resid="Taskpane.Url"/>'), /must name a short resource, not a url one/],
  ["a resource id over 32 characters", broken('<bt:Image id="Icon.80"', '<bt:Image id="Icon.80.with.a.much.longer.name.xyz"'), /resource id "Icon.80.with.a.much.longer.name.xyz" must have 1 to 32/],
  ["a duplicate resource id", broken('<bt:Url id="LaunchEvent.JsUrl"', '<bt:Url id="Taskpane.Url"'), /resource id "Taskpane.Url" is not unique/],
  ["a short string over 125 characters", broken('DefaultValue="Veilig mailen"', `DefaultValue="${"x".repeat(126)}"`), /string "Group.Label" must have 1 to 125/],
  ["a long string over 250 characters", broken('Value="Check sender, recipients', `Value="${"x".repeat(251)} Check sender, recipients`), /string "Button.Tooltip" must have 1 to 250/],
  ["an http:// URL", broken(`${BASE_URL}/launchevent.js`, "http://sendsecure.example.nl/launchevent.js"), /"http:\/\/sendsecure.example.nl\/launchevent.js" is not https/],
  ["a URL outside the AppDomains", broken(`"${BASE_URL}/taskpane.html"`, '"https://elsewhere.example.com/taskpane.html"'), /outside every <AppDomain>/],
  ["no AppDomain", broken(`<AppDomain>${BASE_URL}</AppDomain>`, ""), /no <AppDomain>/],
  ["a missing FunctionName", broken(' FunctionName="onMessageSendHandler"', ""), /OnMessageSend has no FunctionName/],
  ["a FunctionName launchevent.js does not associate", broken('FunctionName="onMessageSendHandler"', 'FunctionName="onSend"'), /"onSend" is not associated in launchevent.js/],
  ["a Block send mode", broken('SendMode="SoftBlock"', 'SendMode="Block"'), /SendMode must be SoftBlock/],
  ["no launch event", broken('Type="OnMessageSend"', 'Type="OnNewMessageCompose"'), /exactly one OnMessageSend/],
  ["a version below 1.0.0.0", broken("<Version>1.0.0.0</Version>", "<Version>0.1.0</Version>"), /must be at least 1.0.0.0/],
  ["an Id that is no GUID", broken(`<Id>${ADDIN_ID}</Id>`, "<Id>send-secure</Id>"), /is not a GUID/],
  ["the panel button renamed", broken('id="SendSecure.OpenPanel"', 'id="SendSecure.Panel"'), /commandId "SendSecure.OpenPanel" is not a task pane/],
  ["a duplicate control id", broken("</Control>", `</Control>${/<Control [\s\S]*?<\/Control>/.exec(XML)[0]}`), /<Control> id "SendSecure.OpenPanel" is not unique/],
  ["too low a Mailbox requirement", broken('DefaultMinVersion="1.12"', 'DefaultMinVersion="1.5"'), /must require Mailbox 1.12/],
  ["a description too long for the unified manifest", broken('Value="Checks and sends', `Value="${"x".repeat(80)} Checks and sends`), /<Description> ".*" must have 1 to 80/],
  ["a missing ribbon icon size", broken('<bt:Image size="32" resid="Icon.32"/>', ""), /has no 32 px icon/],
  ["an icon that does not exist", broken(`${BASE_URL}/assets/icon-16.png`, `${BASE_URL}/assets/icon-17.png`), /icon-17.png does not exist/],
  ["an icon of the wrong size", broken(`${BASE_URL}/assets/icon-80.png`, `${BASE_URL}/assets/icon-64.png`), /icon-64.png is 64 px, not 80 px/],
  ["ReadItem permission", broken("<Permissions>ReadWriteMailbox</Permissions>", "<Permissions>ReadWriteItem</Permissions>"), /ReadWriteMailbox/],
  ["no script for classic Outlook", broken('<Override type="javascript" resid="LaunchEvent.JsUrl"/>', ""), /no JavaScript override/],
];

for (const [what, xml, expected] of BROKEN) {
  test(`a broken manifest is caught: ${what}`, () => {
    const problems = check(xml);
    assert.ok(problems.length > 0, "no problem reported");
    if (expected) assert.ok(problems.some((problem) => expected.test(problem)), problems.join("\n"));
  });
}

test("a handler that associates nothing is caught", () => {
  const handler = HANDLER.replace('Office.actions.associate("onMessageSendHandler"', "void (");
  const problems = check(XML, handler);
  assert.ok(problems.some((problem) => /is not associated in launchevent.js/.test(problem)), problems.join("\n"));
});

test("a handler naming another commandId is caught", () => {
  const handler = HANDLER.replace('PANEL_COMMAND_ID = "SendSecure.OpenPanel"', 'PANEL_COMMAND_ID = "msgComposeOpenPaneButton"');
  const problems = check(XML, handler);
  assert.ok(problems.some((problem) => /commandId "msgComposeOpenPaneButton"/.test(problem)), problems.join("\n"));
});
