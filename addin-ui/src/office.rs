//! The only module that touches Office.js: typed `wasm-bindgen` bindings for exactly the calls
//! the panel makes, each callback turned into a future and each failure into [`OfficeError`].
//!
//! # The calls (and the shapes the panel relies on)
//!
//! The playground's scripted `Office` (`window.SendSecurePlayground.office`, see
//! `addin-ui/static/office-loader.js`) implements exactly this list; README "The playground"
//! repeats it. Every `…Async` call takes its callback as the **last** argument and calls it
//! once with an `AsyncResult` `{status: "succeeded" | "failed", value, error: {name, message,
//! code}}`; the panel passes no `options` object.
//!
//! | call | arguments → `value` |
//! |---|---|
//! | `Office.onReady()` | → a Promise (its value is not used) |
//! | `Office.context.displayLanguage` | property, e.g. `"nl-NL"` |
//! | `Office.context.requirements.isSetSupported(name, version)` | `("Mailbox", "1.15")` (sendAsync), `("Mailbox", "1.8")` (attachments, internet headers) → boolean |
//! | `Office.context.mailbox.userProfile.emailAddress` | property: the signed-in user |
//! | `Office.context.mailbox.item` | the compose item (absent outside a compose form) |
//! | `item.to/cc/bcc.getAsync(cb)` | → `[{emailAddress, displayName, recipientType}]`; `recipientType` `"distributionList"` or `"group"` is a distribution list, anything else a user |
//! | `item.to/cc/bcc.setAsync(recipients, cb)` | `[{emailAddress, displayName}]` replaces the field (the panel removes a recipient this way) |
//! | `item.from.getAsync(cb)` | → `{emailAddress, displayName}` (the sender; the user's own address when absent) |
//! | `item.subject.getAsync(cb)` / `item.subject.setAsync(text, cb)` | → string / — |
//! | `item.getAttachmentsAsync(cb)` | → `[{id, name, size, attachmentType: "file" \| "item" \| "cloud", isInline}]` |
//! | `item.removeAttachmentAsync(id, cb)` | — |
//! | `item.internetHeaders.setAsync({"X-SendSecure-Token": token}, cb)` | — |
//! | `item.internetHeaders.removeAsync(["X-SendSecure-Token"], cb)` | — (before a normal send: no token left by a cancelled secure send) |
//! | `item.saveAsync(cb)` | → the item id (called before and after setting the header) |
//! | `item.sendAsync(cb)` | — (Mailbox 1.15; the compose form closes on success) |
//! | `Office.context.requirements.isSetSupported("NestedAppAuth", "1.1")` | Entra ID sign-in only (`entra.rs`): whether MSAL.js nested app authentication works here |
//! | `Office.context.ui.displayDialogAsync(url, {height, width}, cb)` | Entra ID sign-in without nested app authentication only → the dialog; `dialog.addEventHandler(Office.EventType.DialogMessageReceived \| DialogEventReceived, handler)` (`{message, origin}` / `{error}`), `dialog.close()` |
//! | `item.notificationMessages.replaceAsync("sendsecure", {type: "informationalMessage", message, icon: "Icon.16", persistent: false}, cb)` / `.removeAsync("sendsecure", cb)` | — (Mailbox 1.3: Outlook's bar above the draft says what the panel says; the icon is the manifest's `Icon.16`) |
//! | `item.addHandlerAsync(type, handler, cb)` | `Office.EventType.RecipientsChanged` (`"olkRecipientsChanged"`) and `Office.EventType.AttachmentsChanged` (`"olkAttachmentsChanged"`); `handler` is called with an event object the panel ignores |
//!
//! There is no subject-changed event: the panel re-reads the item when it gains focus or
//! becomes visible, and every few seconds while open (`components/app.rs`).

use std::{cell::RefCell, fmt, rc::Rc};

use addin_core::draft::{DraftRecipient, Field, RecipientKind};
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue, closure::Closure, prelude::wasm_bindgen};
use wasm_bindgen_futures::JsFuture;

pub use crate::capabilities::Capabilities;
use crate::item::{ItemAttachment, ItemSnapshot};

/// The header that carries the send token to the send handler and the relay (SPEC §7).
pub const TOKEN_HEADER: &str = "X-SendSecure-Token";

#[wasm_bindgen]
extern "C" {
    /// The `Office` namespace object.
    #[derive(Clone, Debug)]
    type OfficeNs;
    #[wasm_bindgen(method, catch, js_name = onReady)]
    fn on_ready(this: &OfficeNs) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn context(this: &OfficeNs) -> Option<Context>;
    #[wasm_bindgen(method, getter, js_name = EventType)]
    fn event_type(this: &OfficeNs) -> Option<Object>;

    #[derive(Clone, Debug)]
    type Context;
    #[wasm_bindgen(method, getter, js_name = displayLanguage)]
    fn display_language(this: &Context) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn requirements(this: &Context) -> Option<Requirements>;
    #[wasm_bindgen(method, getter)]
    fn mailbox(this: &Context) -> Option<Mailbox>;

    #[derive(Clone, Debug)]
    type Requirements;
    #[wasm_bindgen(method, catch, js_name = isSetSupported)]
    fn is_set_supported(this: &Requirements, name: &str, version: &str)
    -> Result<JsValue, JsValue>;

    #[derive(Clone, Debug)]
    type Mailbox;
    #[wasm_bindgen(method, getter, js_name = userProfile)]
    fn user_profile(this: &Mailbox) -> Option<UserProfile>;
    #[wasm_bindgen(method, getter)]
    fn item(this: &Mailbox) -> Option<Item>;

    #[derive(Clone, Debug)]
    type UserProfile;
    #[wasm_bindgen(method, getter, js_name = emailAddress)]
    fn email_address(this: &UserProfile) -> Option<String>;

    #[derive(Clone, Debug)]
    type Item;
    #[wasm_bindgen(method, getter)]
    fn to(this: &Item) -> Option<Recipients>;
    #[wasm_bindgen(method, getter)]
    fn cc(this: &Item) -> Option<Recipients>;
    #[wasm_bindgen(method, getter)]
    fn bcc(this: &Item) -> Option<Recipients>;
    #[wasm_bindgen(method, getter)]
    fn from(this: &Item) -> Option<Sender>;
    #[wasm_bindgen(method, getter)]
    fn subject(this: &Item) -> Option<Subject>;
    #[wasm_bindgen(method, getter, js_name = internetHeaders)]
    fn internet_headers(this: &Item) -> Option<InternetHeaders>;
    #[wasm_bindgen(method, getter, js_name = notificationMessages)]
    fn notification_messages(this: &Item) -> Option<NotificationMessages>;
    #[wasm_bindgen(method, catch, js_name = getAttachmentsAsync)]
    fn get_attachments_async(this: &Item, callback: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = removeAttachmentAsync)]
    fn remove_attachment_async(this: &Item, id: &str, callback: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = saveAsync)]
    fn save_async(this: &Item, callback: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = sendAsync)]
    fn send_async(this: &Item, callback: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = addHandlerAsync)]
    fn add_handler_async(
        this: &Item,
        event_type: &str,
        handler: &Function,
        callback: &Function,
    ) -> Result<(), JsValue>;

    #[derive(Clone, Debug)]
    type Recipients;
    #[wasm_bindgen(method, catch, js_name = getAsync)]
    fn get_async(this: &Recipients, callback: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = setAsync)]
    fn set_async(this: &Recipients, recipients: &Array, callback: &Function)
    -> Result<(), JsValue>;

    #[derive(Clone, Debug)]
    type Sender;
    #[wasm_bindgen(method, catch, js_name = getAsync)]
    fn get_async(this: &Sender, callback: &Function) -> Result<(), JsValue>;

    #[derive(Clone, Debug)]
    type Subject;
    #[wasm_bindgen(method, catch, js_name = getAsync)]
    fn get_async(this: &Subject, callback: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = setAsync)]
    fn set_async(this: &Subject, subject: &str, callback: &Function) -> Result<(), JsValue>;

    #[derive(Clone, Debug)]
    type NotificationMessages;
    #[wasm_bindgen(method, catch, js_name = replaceAsync)]
    fn replace_async(
        this: &NotificationMessages,
        key: &str,
        details: &Object,
        callback: &Function,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = removeAsync)]
    fn remove_async(
        this: &NotificationMessages,
        key: &str,
        callback: &Function,
    ) -> Result<(), JsValue>;

    #[derive(Clone, Debug)]
    type InternetHeaders;
    #[wasm_bindgen(method, catch, js_name = setAsync)]
    fn set_async(
        this: &InternetHeaders,
        headers: &Object,
        callback: &Function,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = removeAsync)]
    fn remove_async(
        this: &InternetHeaders,
        names: &Array,
        callback: &Function,
    ) -> Result<(), JsValue>;
}

/// The panel's one message in the notification bar (a key of at most 32 characters).
const NOTIFICATION_KEY: &str = "sendsecure";
/// An icon the manifest defines (`<bt:Image id="Icon.16">`): informational messages need one.
const NOTIFICATION_ICON: &str = "Icon.16";

/// Why an Office.js call did not do its job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OfficeError {
    /// Office.js could not be loaded, or this host lacks the call (an older requirement set).
    Unavailable(&'static str),
    /// The call answered with `status: "failed"`.
    Failed {
        name: String,
        message: String,
        code: i64,
    },
    /// The call threw.
    Exception(String),
}

impl fmt::Display for OfficeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(what) => write!(f, "{what} is not available"),
            Self::Failed {
                name,
                message,
                code,
            } => write!(f, "{message} ({name} {code})"),
            Self::Exception(message) => f.write_str(message),
        }
    }
}

impl OfficeError {
    fn from_exception(error: JsValue) -> Self {
        let message = error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| error.as_string())
            .unwrap_or_else(|| "unknown error".to_owned());
        Self::Exception(message)
    }
}

/// The connected compose item.
#[derive(Clone, Debug)]
pub struct Host {
    office: OfficeNs,
    item: Item,
    /// `Office.context.displayLanguage`, e.g. `nl-NL`.
    pub display_language: String,
    /// `userProfile.emailAddress`: the signed-in user's own mailbox.
    pub user: String,
    pub capabilities: Capabilities,
}

thread_local! {
    static HOST: RefCell<Option<Rc<Host>>> = const { RefCell::new(None) };
}

/// The compose item the panel works on, once [`connect`] found one.
pub fn host() -> Option<Rc<Host>> {
    HOST.with(|host| host.borrow().clone())
}

/// Waits for Office.js (`window.sendSecureOfficeLoaded`, then `Office.onReady()`) and finds
/// the compose item. `Ok(None)`: Office is there but this is not a compose form (the page was
/// opened outside Outlook).
pub async fn connect() -> Result<Option<Rc<Host>>, OfficeError> {
    let global = js_sys::global();
    // `Promise.resolve` adopts any thenable, also one made in another window (the playground).
    let loaded = property(&global, "sendSecureOfficeLoaded");
    if !loaded.is_undefined() {
        JsFuture::from(Promise::resolve(&loaded))
            .await
            .map_err(|_| OfficeError::Unavailable("Office.js"))?;
    }
    let office = property(&global, "Office");
    if office.is_undefined() || office.is_null() {
        return Err(OfficeError::Unavailable("Office.js"));
    }
    let office: OfficeNs = office.unchecked_into();
    let ready = office.on_ready().map_err(OfficeError::from_exception)?;
    JsFuture::from(Promise::resolve(&ready))
        .await
        .map_err(OfficeError::from_exception)?;
    crate::mark("sendsecure-office-ready");

    let Some(context) = office.context() else {
        return Ok(None);
    };
    let Some(mailbox) = context.mailbox() else {
        return Ok(None);
    };
    let Some(item) = mailbox.item() else {
        return Ok(None);
    };
    let supported = |version: &str| {
        context
            .requirements()
            .and_then(|r| r.is_set_supported("Mailbox", version).ok())
            .and_then(|answer| answer.as_bool())
            .unwrap_or(false)
    };
    let host = Rc::new(Host {
        display_language: context.display_language().unwrap_or_default(),
        user: mailbox
            .user_profile()
            .and_then(|profile| profile.email_address())
            .unwrap_or_default(),
        capabilities: Capabilities {
            send: supported("1.15"),
        },
        office,
        item,
    });
    HOST.with(|slot| *slot.borrow_mut() = Some(Rc::clone(&host)));
    Ok(Some(host))
}

impl Host {
    /// Everything the check needs from the draft, never its body: sender, recipients with
    /// their kinds, subject and attachments (the same reading as the send handler's, so a
    /// token the panel obtains covers what the handler sees).
    pub async fn read(&self) -> Result<ItemSnapshot, OfficeError> {
        let to = self.recipients(Field::To).await?;
        let cc = self.recipients(Field::Cc).await?;
        let bcc = self.recipients(Field::Bcc).await?;
        let subject = match self.item.subject() {
            Some(subject) => call(|cb| subject.get_async(cb))
                .await?
                .as_string()
                .unwrap_or_default(),
            None => String::new(),
        };
        // Attachments and From need newer requirement sets; without them the draft has none
        // and the sender is the user.
        let attachments = call(|cb| self.item.get_attachments_async(cb))
            .await
            .map(|value| attachments(&value))
            .unwrap_or_default();
        let from = match self.item.from() {
            Some(from) => call(|cb| from.get_async(cb))
                .await
                .ok()
                .map(|value| text(&value, "emailAddress"))
                .unwrap_or_default(),
            None => String::new(),
        };
        let sender = if from.trim().is_empty() {
            self.user.clone()
        } else {
            from
        };
        Ok(ItemSnapshot {
            sender,
            user: self.user.clone(),
            to,
            cc,
            bcc,
            subject,
            attachments,
        })
    }

    async fn recipients(&self, field: Field) -> Result<Vec<DraftRecipient>, OfficeError> {
        let Some(recipients) = self.field(field) else {
            return Ok(Vec::new());
        };
        let value = call(|cb| recipients.get_async(cb)).await?;
        Ok(value
            .dyn_ref::<Array>()
            .map(|list| list.iter().map(|entry| recipient(&entry)).collect())
            .unwrap_or_default())
    }

    fn field(&self, field: Field) -> Option<Recipients> {
        match field {
            Field::To => self.item.to(),
            Field::Cc => self.item.cc(),
            Field::Bcc => self.item.bcc(),
        }
    }

    /// Replaces a recipient field (the panel uses it to drop one recipient).
    pub async fn set_recipients(
        &self,
        field: Field,
        recipients: &[DraftRecipient],
    ) -> Result<(), OfficeError> {
        let target = self
            .field(field)
            .ok_or(OfficeError::Unavailable("recipients"))?;
        let list: Array = recipients
            .iter()
            .map(|r| {
                let entry = Object::new();
                set(&entry, "emailAddress", &r.address.as_str().into());
                set(
                    &entry,
                    "displayName",
                    &r.name.as_deref().unwrap_or(&r.address).into(),
                );
                JsValue::from(entry)
            })
            .collect();
        call(|cb| target.set_async(&list, cb)).await.map(drop)
    }

    pub async fn set_subject(&self, text: &str) -> Result<(), OfficeError> {
        let subject = self
            .item
            .subject()
            .ok_or(OfficeError::Unavailable("subject"))?;
        call(|cb| subject.set_async(text, cb)).await.map(drop)
    }

    pub async fn remove_attachment(&self, id: &str) -> Result<(), OfficeError> {
        call(|cb| self.item.remove_attachment_async(id, cb))
            .await
            .map(drop)
    }

    /// Puts the send token on the draft: `saveAsync → internetHeaders.setAsync → saveAsync`,
    /// which makes the header visible to the send handler (OFFICE-NOTES). Saving is best
    /// effort; setting the header is not.
    pub async fn tag(&self, token: &str) -> Result<(), OfficeError> {
        let headers = self
            .item
            .internet_headers()
            .ok_or(OfficeError::Unavailable("internetHeaders"))?;
        let _ = call(|cb| self.item.save_async(cb)).await;
        let value = Object::new();
        set(&value, TOKEN_HEADER, &token.into());
        call(|cb| headers.set_async(&value, cb)).await?;
        let _ = call(|cb| self.item.save_async(cb)).await;
        Ok(())
    }

    /// Takes a send token off the draft (one a cancelled secure send left), best effort: a
    /// mail the user sends normally must not carry it.
    pub async fn untag(&self) {
        if let Some(headers) = self.item.internet_headers() {
            let names = Array::of1(&TOKEN_HEADER.into());
            let _ = call(|cb| headers.remove_async(&names, cb)).await;
        }
    }

    /// Shows `message` in Outlook's notification bar above the draft, in place of the panel's
    /// last one, or takes it away (`None`). Best effort: the panel says the same.
    pub async fn notify(&self, message: Option<&str>) {
        let Some(bar) = self.item.notification_messages() else {
            return;
        };
        let _ = match message {
            Some(text) => {
                let details = Object::new();
                set(&details, "type", &"informationalMessage".into());
                // Outlook refuses more than 150 characters.
                let text: String = text.chars().take(150).collect();
                set(&details, "message", &text.into());
                set(&details, "icon", &NOTIFICATION_ICON.into());
                set(&details, "persistent", &false.into());
                call(|cb| bar.replace_async(NOTIFICATION_KEY, &details, cb)).await
            }
            None => call(|cb| bar.remove_async(NOTIFICATION_KEY, cb)).await,
        };
    }

    /// `item.sendAsync()` (Mailbox 1.15).
    pub async fn send(&self) -> Result<(), OfficeError> {
        if !self.capabilities.send {
            return Err(OfficeError::Unavailable("sendAsync"));
        }
        call(|cb| self.item.send_async(cb)).await.map(drop)
    }

    /// Calls `on_change` whenever recipients or attachments change (Mailbox 1.7+). Where the
    /// host refuses, the periodic re-read still notices changes.
    pub async fn watch(&self, on_change: impl Fn() + 'static) {
        let handler = Closure::<dyn Fn(JsValue)>::new(move |_event: JsValue| on_change());
        let handler: Function = handler.into_js_value().unchecked_into();
        let types = self.office.event_type();
        for (name, fallback) in [
            ("RecipientsChanged", "olkRecipientsChanged"),
            ("AttachmentsChanged", "olkAttachmentsChanged"),
        ] {
            let event = types
                .as_ref()
                .and_then(|types| property(types, name).as_string())
                .unwrap_or_else(|| fallback.to_owned());
            let _ = call(|cb| self.item.add_handler_async(&event, &handler, cb)).await;
        }
    }
}

/// Runs an Office.js `…Async` call and waits for its callback: the `value` when it succeeded,
/// an [`OfficeError`] when it failed or threw.
async fn call(
    start: impl FnOnce(&Function) -> Result<(), JsValue>,
) -> Result<JsValue, OfficeError> {
    let mut start = Some(start);
    let mut started = Ok(());
    let promise = Promise::new(&mut |resolve, _reject| {
        let callback = Closure::once_into_js(move |result: JsValue| {
            let _ = resolve.call1(&JsValue::UNDEFINED, &result);
        });
        if let Some(start) = start.take() {
            started = start(callback.unchecked_ref());
        }
    });
    settle(promise, started).await
}

/// The non-generic part of [`call`] (one copy in the WASM).
async fn settle(promise: Promise, started: Result<(), JsValue>) -> Result<JsValue, OfficeError> {
    started.map_err(OfficeError::from_exception)?;
    let result = JsFuture::from(promise)
        .await
        .map_err(OfficeError::from_exception)?;
    if property(&result, "status").as_string().as_deref() == Some("failed") {
        let error = property(&result, "error");
        return Err(OfficeError::Failed {
            name: text(&error, "name"),
            message: text(&error, "message"),
            code: property(&error, "code").as_f64().unwrap_or(0.0) as i64,
        });
    }
    Ok(property(&result, "value"))
}

fn recipient(entry: &JsValue) -> DraftRecipient {
    let kind = match text(entry, "recipientType").as_str() {
        "distributionList" | "group" => RecipientKind::DistributionList,
        _ => RecipientKind::User,
    };
    let name = text(entry, "displayName");
    DraftRecipient {
        address: text(entry, "emailAddress"),
        name: (!name.is_empty()).then_some(name),
        kind,
    }
}

fn attachments(value: &JsValue) -> Vec<ItemAttachment> {
    let Some(list) = value.dyn_ref::<Array>() else {
        return Vec::new();
    };
    list.iter()
        .map(|entry| {
            // Cloud attachments are links: no bytes go with the mail (SPEC §5.5).
            let cloud = text(&entry, "attachmentType") == "cloud";
            let size = property(&entry, "size").as_f64().unwrap_or(0.0);
            ItemAttachment {
                id: text(&entry, "id"),
                name: text(&entry, "name"),
                size: if cloud || !size.is_finite() || size < 0.0 {
                    0
                } else {
                    size as u64
                },
                inline: property(&entry, "isInline").as_bool().unwrap_or(false),
                cloud,
            }
        })
        .collect()
}

fn property(target: &JsValue, name: &str) -> JsValue {
    if target.is_undefined() || target.is_null() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn text(target: &JsValue, name: &str) -> String {
    property(target, name).as_string().unwrap_or_default()
}

fn set(target: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(name), value);
}

/// Whether this Outlook offers nested app authentication (MSAL.js
/// `createNestablePublicClientApplication`): requirement set NestedAppAuth 1.1.
pub fn nested_app_auth() -> bool {
    let requirements = property(
        &property(&property(&js_sys::global(), "Office"), "context"),
        "requirements",
    );
    let Ok(is_set_supported) = property(&requirements, "isSetSupported").dyn_into::<Function>()
    else {
        return false;
    };
    is_set_supported
        .call2(&requirements, &"NestedAppAuth".into(), &"1.1".into())
        .ok()
        .and_then(|answer| answer.as_bool())
        .unwrap_or(false)
}

/// Opens `url` (a page of this add-in's own origin) in an Office dialog and waits for the
/// first message it sends with `Office.context.ui.messageParent`; the dialog is closed then.
/// A message from another origin is ignored. The user closing the dialog is
/// [`OfficeError::Failed`] with the dialog's error code (12006).
pub async fn dialog_message(url: &str) -> Result<String, OfficeError> {
    let office = property(&js_sys::global(), "Office");
    let ui = property(&property(&office, "context"), "ui");
    let open = property(&ui, "displayDialogAsync")
        .dyn_into::<Function>()
        .map_err(|_| OfficeError::Unavailable("Office.context.ui.displayDialogAsync"))?;
    let options = Object::new();
    set(&options, "height", &60.into());
    set(&options, "width", &30.into());
    let dialog = call(|cb| open.call3(&ui, &url.into(), &options, cb).map(drop)).await?;
    let event = |name: &str, fallback: &str| {
        let value = property(&property(&office, "EventType"), name);
        if value.is_string() {
            value
        } else {
            JsValue::from_str(fallback)
        }
    };
    let own_origin = text(&property(&js_sys::global(), "location"), "origin");

    // Either handler settles the promise once; the later calls find it settled.
    let settle: Rc<RefCell<Option<(Function, Function)>>> = Rc::new(RefCell::new(None));
    let answer = Promise::new(&mut |resolve, reject| {
        *settle.borrow_mut() = Some((resolve, reject));
    });
    let on_message = {
        let settle = Rc::clone(&settle);
        Closure::<dyn FnMut(JsValue)>::new(move |arg: JsValue| {
            let origin = text(&arg, "origin");
            if !origin.is_empty() && origin != own_origin {
                return;
            }
            if let Some((resolve, _)) = settle.borrow_mut().take() {
                let _ = resolve.call1(&JsValue::UNDEFINED, &property(&arg, "message"));
            }
        })
    };
    let on_event = {
        let settle = Rc::clone(&settle);
        Closure::<dyn FnMut(JsValue)>::new(move |arg: JsValue| {
            if let Some((_, reject)) = settle.borrow_mut().take() {
                let _ = reject.call1(&JsValue::UNDEFINED, &property(&arg, "error"));
            }
        })
    };
    let add = property(&dialog, "addEventHandler")
        .dyn_into::<Function>()
        .map_err(|_| OfficeError::Unavailable("dialog.addEventHandler"))?;
    add.call2(
        &dialog,
        &event("DialogMessageReceived", "dialogMessageReceived"),
        on_message.as_ref().unchecked_ref(),
    )
    .map_err(OfficeError::from_exception)?;
    add.call2(
        &dialog,
        &event("DialogEventReceived", "dialogEventReceived"),
        on_event.as_ref().unchecked_ref(),
    )
    .map_err(OfficeError::from_exception)?;
    let answer = JsFuture::from(answer).await;
    if let Ok(close) = property(&dialog, "close").dyn_into::<Function>() {
        let _ = close.call0(&dialog);
    }
    // The dialog is closed: its handlers are not called again.
    drop((on_message, on_event));
    match answer {
        Ok(message) => message
            .as_string()
            .ok_or(OfficeError::Unavailable("the dialog's message")),
        Err(code) => Err(OfficeError::Failed {
            name: "DialogEventReceived".into(),
            message: "the sign-in dialog was closed".into(),
            code: code.as_f64().unwrap_or(0.0) as i64,
        }),
    }
}
