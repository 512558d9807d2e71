//! A browser for the Viewer's pages, as far as the tests need one: it keeps cookies by name and
//! path (a session cookie is scoped to one message's path), follows nothing by itself (every
//! redirect is the test's to see), and posts forms and files.

use std::collections::BTreeMap;

use reqwest::{Method, RequestBuilder, StatusCode, header, multipart};

use crate::helpers::{ApiClient, Reply, send};

/// One browser profile: its own cookies.
#[derive(Clone, Debug)]
pub struct Browser {
    api: ApiClient,
    /// name → (path, value)
    cookies: BTreeMap<String, (String, String)>,
    accept_language: Option<String>,
}

impl Browser {
    pub fn new(api: &ApiClient) -> Self {
        Self {
            api: api.clone(),
            cookies: BTreeMap::new(),
            accept_language: None,
        }
    }

    pub fn speaking(mut self, accept_language: &str) -> Self {
        self.accept_language = Some(accept_language.to_owned());
        self
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self.api.request(Method::GET, path);
        self.send(path, request).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let request = self.api.request(Method::POST, path).form(fields);
        self.send(path, request).await
    }

    /// A multipart form: text fields, and files as `(field, file name, bytes)`.
    pub async fn post_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: Vec<(&str, &str, Vec<u8>)>,
    ) -> Reply {
        let mut form = multipart::Form::new();
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        for (field, file_name, bytes) in files {
            form = form.part(
                field.to_owned(),
                multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
            );
        }
        let request = self.api.request(Method::POST, path).multipart(form);
        self.send(path, request).await
    }

    /// The value of a cookie the browser holds.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(|(_, value)| value.as_str())
    }

    /// Gives this browser another's cookie (as an attacker who stole it would).
    pub fn set_cookie(&mut self, name: &str, path: &str, value: &str) {
        self.cookies
            .insert(name.to_owned(), (path.to_owned(), value.to_owned()));
    }

    async fn send(&mut self, path: &str, mut request: RequestBuilder) -> Reply {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .filter(|(_, (scope, _))| path.starts_with(scope.as_str()))
            .map(|(name, (_, value))| format!("{name}={value}"))
            .collect();
        if !cookie.is_empty() {
            request = request.header(header::COOKIE, cookie.join("; "));
        }
        if let Some(language) = &self.accept_language {
            request = request.header(header::ACCEPT_LANGUAGE, language);
        }
        let reply = send(request).await;
        for set in reply.headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().expect("a text cookie");
            let mut parts = set.split(';').map(str::trim);
            let (name, value) = parts
                .next()
                .and_then(|pair| pair.split_once('='))
                .expect("name=value");
            let scope = parts
                .find_map(|part| part.strip_prefix("Path="))
                .unwrap_or("/")
                .to_owned();
            self.cookies
                .insert(name.to_owned(), (scope, value.to_owned()));
        }
        reply
    }
}

impl Reply {
    /// Where a 303 sends the browser.
    #[track_caller]
    pub fn redirect(&self) -> &str {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "a redirect: {}",
            self.body
        );
        self.header(header::LOCATION).expect("a Location")
    }
}
