//! What the Redaktion's API tests share: a browser that keeps the session cookie and sends the
//! CSRF token, its answers, and the server's revision and feed as an app sees them.

#![allow(dead_code)] // each test file uses a part

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use fokus_model::redaktion::{self as wire, NewAccount, Role, SessionInfo};
use fokus_model::{api, FeedPage};
use fokus_server::redaktion::Workspace;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The API error's message, or the body as text when it is none.
    pub fn message(&self) -> String {
        serde_json::from_slice::<api::ApiError>(&self.body)
            .map(|error| error.message)
            .unwrap_or_else(|_| String::from_utf8_lossy(&self.body).into_owned())
    }
}

/// A browser: keeps the session cookie and sends the CSRF token it was given.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl Browser {
    /// Sends `request` with `body`, the cookie and the CSRF token; keeps a cookie set.
    pub async fn request(
        &mut self,
        router: &axum::Router,
        request: axum::http::request::Builder,
        body: Body,
    ) -> Answer {
        let mut request = request;
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(csrf) = &self.csrf {
            request = request.header(wire::CSRF_HEADER, csrf);
        }
        let response = router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        if let Some(set) = headers.get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = (!pair.ends_with('=')).then_some(pair);
        }
        Answer {
            status,
            headers,
            body,
        }
    }

    /// `method uri`, with `body` as JSON.
    pub async fn send(
        &mut self,
        router: &axum::Router,
        method: &str,
        uri: &str,
        body: Option<serde_json::Value>,
    ) -> Answer {
        let request = Request::builder().method(method).uri(uri);
        match body {
            Some(json) => {
                let request = request.header(header::CONTENT_TYPE, "application/json");
                self.request(router, request, Body::from(json.to_string()))
                    .await
            }
            None => self.request(router, request, Body::empty()).await,
        }
    }

    /// Signs in; on success keeps the session's CSRF token.
    pub async fn login(&mut self, router: &axum::Router, name: &str, password: &str) -> Answer {
        let answer = self
            .send(
                router,
                "POST",
                wire::LOGIN,
                Some(serde_json::json!({ "name": name, "password": password })),
            )
            .await;
        if answer.status == StatusCode::OK {
            self.csrf = Some(answer.json::<SessionInfo>().csrf);
        }
        answer
    }

    /// Signs in with a one-time password and chooses `password`.
    pub async fn first_login(
        &mut self,
        router: &axum::Router,
        name: &str,
        once: &str,
        password: &str,
    ) {
        let answer = self.login(router, name, once).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
        let answer = self
            .send(
                router,
                "POST",
                wire::PASSWORD,
                Some(serde_json::json!({ "current": once, "new": password })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.message());
    }
}

/// Adds an account as `fokus-server user add` does; its one-time password.
pub fn account(workspace: &Workspace, name: &str, roles: Vec<Role>, office: &str) -> String {
    workspace
        .add_account_now(
            &NewAccount {
                name: name.into(),
                display_name: format!("Frau {name}"),
                roles,
                office: office.into(),
            },
            "test",
        )
        .unwrap()
}

/// A signed-in person with a password of their own.
pub async fn person(
    router: &axum::Router,
    workspace: &Workspace,
    name: &str,
    roles: Vec<Role>,
    office: &str,
) -> Browser {
    let once = account(workspace, name, roles, office);
    let mut browser = Browser::default();
    browser
        .first_login(router, name, &once, "ein gutes langes Passwort")
        .await;
    browser
}

pub async fn feed_since(router: &axum::Router, since: u64) -> FeedPage {
    let answer = Browser::default()
        .send(router, "GET", &format!("{}?since={since}", api::FEED), None)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.json()
}

pub async fn revision(router: &axum::Router) -> u64 {
    let answer = Browser::default()
        .send(router, "GET", api::STATUS, None)
        .await;
    answer.json::<fokus_model::ServerStatus>().revision
}
