//! Inline SVG icons (16 × 16, `currentColor`): decorative, so hidden from screen readers; the
//! button around each carries the label.

use yew::prelude::*;

fn icon(body: Html) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            { body }
        </svg>
    }
}

/// The "i" of "more information".
pub fn info() -> Html {
    icon(html! {
        <>
            <circle cx="8" cy="8" r="6.75" fill="none" stroke="currentColor" stroke-width="1.5" />
            <path d="M7.25 7h1.5v4.75h-1.5zM7.25 4.25h1.5v1.5h-1.5z" fill="currentColor" />
        </>
    })
}

/// A chevron: down when `open` is false (unfold), up when true (fold).
pub fn chevron(open: bool) -> Html {
    let d = if open {
        "M3 10.2 8 5.2l5 5-1.1 1.1L8 7.4l-3.9 3.9z"
    } else {
        "M3 5.8l5 5 5-5-1.1-1.1L8 8.6 4.1 4.7z"
    };
    icon(html! { <path d={d} fill="currentColor" /> })
}

pub fn check() -> Html {
    icon(
        html! { <path d="M6.2 11.3 2.9 8l-1.1 1.1 4.4 4.4 8.1-8.1-1.1-1.1z" fill="currentColor" /> },
    )
}

pub fn alert() -> Html {
    icon(html! {
        <path d="M8 1.5 15 14H1zm-.75 4.5v4h1.5V6zm0 5.25v1.5h1.5v-1.5z" fill="currentColor" fill-rule="evenodd" />
    })
}

pub fn undo() -> Html {
    icon(html! {
        <path d="M5.5 2.5 1.5 6.3l4 3.8V7.3h4.25a2.75 2.75 0 0 1 0 5.5H6v1.5h3.75a4.25 4.25 0 0 0 0-8.5H5.5z" fill="currentColor" />
    })
}

/// A floppy disk: save.
pub fn save() -> Html {
    icon(html! {
        <path d="M2 2h9.6L14 4.4V14H2zm2 1.5V6h6.5V3.5zM4.5 9v3.5h7V9z" fill="currentColor" fill-rule="evenodd" />
    })
}

/// A bin: remove.
pub fn remove() -> Html {
    icon(html! {
        <path d="M6 1.5h4V3h3.5v1.5h-11V3H6zM3.6 5.5h8.8l-.7 9H4.3zm2.4 1.5v6h1.25V7zm2.75 0v6H10V7z" fill="currentColor" fill-rule="evenodd" />
    })
}

/// The gear of the settings.
pub fn gear() -> Html {
    icon(html! {
        <path d="M6.9 1h2.2l.4 1.9 1.2.5 1.6-1.1 1.6 1.6-1.1 1.6.5 1.2 1.9.4v2.2l-1.9.4-.5 1.2 1.1 1.6-1.6 1.6-1.6-1.1-1.2.5-.4 1.9H6.9l-.4-1.9-1.2-.5-1.6 1.1-1.6-1.6 1.1-1.6-.5-1.2L1 9.1V6.9l1.9-.4.5-1.2-1.1-1.6 1.6-1.6 1.6 1.1 1.2-.5zM8 5.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z" fill="currentColor" fill-rule="evenodd" />
    })
}
