//! The table of reads: each [`Query`] of `fokus_model::ipc` with the store function that
//! answers it. The shell's `read` command ([`run_json`]) and the server's read path (one generic
//! handler per [`Read`], registered through [`visit`]) both serve from here, so the app and the
//! web build answer every read the same way.

use fokus_model::api::{ApiError, ErrorCode};
use fokus_model::ipc::{self, Command, NoArgs, Query};
use serde::de::DeserializeOwned;

use crate::{Result, Store, StoreError};

/// A query the store answers.
pub trait Read: Query {
    fn run(store: &Store, args: Self::Args) -> Result<Self::Output>;
}

/// Something done once per read: the server registers a route, the API description a path,
/// [`run_json`] finds the one asked for.
pub trait ReadVisitor {
    fn visit<R: Read>(&mut self);
}

macro_rules! reads {
    ($($query:ty => |$store:ident, $args:pat_param| $body:expr;)*) => {
        $(
            impl Read for $query {
                fn run($store: &Store, $args: <$query as Command>::Args) -> Result<<$query as Command>::Output> {
                    $body
                }
            }
        )*

        /// Calls `visitor` once for every read, in table order.
        pub fn visit(visitor: &mut impl ReadVisitor) {
            $(visitor.visit::<$query>();)*
        }
    };
}

reads! {
    ipc::CatalogGet => |store, NoArgs {}| store.catalog();
    ipc::MapValues => |store, args| store.map_view(&args.indicator, args.year);
    ipc::AreaSeriesGet => |store, args| store.area_series(&args.indicator, &args.area);
    ipc::IndicatorTableGet => |store, args| store.indicator_table(&args.indicator, args.level);
    ipc::AreaProfileGet => |store, args| store.area_profile(&args.area, args.year);
    ipc::ContentList => |store, args| store.content_list(args.kind);
    ipc::ContentItemGet => |store, args| store.content_item(&args.id);
    ipc::PopulationGet => |store, args| store.population_pyramid(&args.area, args.year);
    ipc::SpendingGet => |store, NoArgs {}| store.spending_overview();
    ipc::ChangesSince => |store, args| store.changes_since(args.since);
    ipc::Search => |store, args| store.search(&args.q);
    ipc::AgeStructureGet => |store, args| store.age_structure(&args.area);
    ipc::SubjectDigests => |store, args| store.subject_digests(&crate::parse_subjects(&args.subjects)?);
}

/// The error a client gets for a failed read: "not found" says what is missing, anything else
/// is logged by the caller and answered without internals.
pub fn api_error(error: &StoreError) -> ApiError {
    match error {
        StoreError::NotFound { .. } => ApiError::new(ErrorCode::NotFound, error.to_string()),
        StoreError::InvalidArgument(message) => {
            ApiError::new(ErrorCode::BadRequest, message.clone())
        }
        _ => ApiError::new(
            ErrorCode::Internal,
            "Die Daten konnten nicht gelesen werden.",
        ),
    }
}

/// Arguments that do not fit the query, in words a developer acts on.
pub fn bad_arguments(name: &str, error: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::BadRequest,
        format!("Ungültige Angaben für `{name}`: {error}"),
    )
}

/// A failed [`run_json`]: the answer for the client, and the store's error to log if there was
/// one.
#[derive(Debug)]
pub struct ReadFailure {
    pub answer: ApiError,
    pub cause: Option<StoreError>,
}

impl ReadFailure {
    fn answer(answer: ApiError) -> ReadFailure {
        ReadFailure {
            answer,
            cause: None,
        }
    }
}

/// Runs the read named `name` with JSON arguments and answers JSON (the shell's IPC).
pub fn run_json(
    store: &Store,
    name: &str,
    args: serde_json::Value,
) -> std::result::Result<serde_json::Value, ReadFailure> {
    struct Find<'a> {
        store: &'a Store,
        name: &'a str,
        args: Option<serde_json::Value>,
        answer: Option<std::result::Result<serde_json::Value, ReadFailure>>,
    }
    impl ReadVisitor for Find<'_> {
        fn visit<R: Read>(&mut self) {
            if R::NAME != self.name {
                return;
            }
            let Some(args) = self.args.take() else { return };
            self.answer = Some(run_one::<R>(self.store, args));
        }
    }
    let mut find = Find {
        store,
        name,
        args: Some(args),
        answer: None,
    };
    visit(&mut find);
    find.answer.unwrap_or_else(|| {
        Err(ReadFailure::answer(ApiError::new(
            ErrorCode::NotFound,
            format!("Die Abfrage `{name}` gibt es nicht."),
        )))
    })
}

fn run_one<R: Read>(
    store: &Store,
    args: serde_json::Value,
) -> std::result::Result<serde_json::Value, ReadFailure> {
    let args = parse::<R::Args>(args)
        .map_err(|error| ReadFailure::answer(bad_arguments(R::NAME, error)))?;
    let output = R::run(store, args).map_err(|error| ReadFailure {
        answer: api_error(&error),
        cause: Some(error),
    })?;
    serde_json::to_value(output).map_err(|error| ReadFailure {
        answer: api_error(&StoreError::InvalidRow(error.to_string())),
        cause: Some(StoreError::InvalidRow(error.to_string())),
    })
}

fn parse<A: DeserializeOwned>(args: serde_json::Value) -> serde_json::Result<A> {
    // An absent argument object (`null`) means "no arguments".
    match args {
        serde_json::Value::Null => serde_json::from_value(serde_json::json!({})),
        args => serde_json::from_value(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_query_is_served_under_its_name() {
        struct Names(Vec<&'static str>);
        impl ReadVisitor for Names {
            fn visit<R: Read>(&mut self) {
                self.0.push(R::NAME);
            }
        }
        let mut names = Names(Vec::new());
        visit(&mut names);
        let mut served = names.0;
        let mut declared = ipc::QUERY_NAMES.to_vec();
        served.sort_unstable();
        declared.sort_unstable();
        assert_eq!(
            served, declared,
            "fokus_model::ipc::QUERY_NAMES and the store's read table must agree"
        );
    }

    #[test]
    fn run_json_answers_like_the_typed_read() {
        let store = Store::open_in_memory().unwrap();
        let typed = serde_json::to_value(store.catalog().unwrap()).unwrap();
        let by_name = run_json(&store, ipc::CatalogGet::NAME, serde_json::Value::Null).unwrap();
        assert_eq!(by_name, typed, "the generic path serves the same answer");
    }

    #[test]
    fn run_json_refuses_what_it_cannot_answer() {
        let store = Store::open_in_memory().unwrap();
        let cases: &[(&str, serde_json::Value, ErrorCode, &str)] = &[
            (
                "gibtsnicht",
                serde_json::Value::Null,
                ErrorCode::NotFound,
                "an unknown query",
            ),
            (
                ipc::MapValues::NAME,
                serde_json::json!({ "indicator": "x" }),
                ErrorCode::BadRequest,
                "a missing argument",
            ),
            (
                ipc::MapValues::NAME,
                serde_json::json!({ "indicator": "x", "year": "zwanzig" }),
                ErrorCode::BadRequest,
                "an argument of the wrong type",
            ),
            (
                ipc::MapValues::NAME,
                serde_json::json!({ "indicator": "x", "year": 2020 }),
                ErrorCode::NotFound,
                "an indicator the store does not hold",
            ),
            (
                ipc::SubjectDigests::NAME,
                serde_json::json!({ "subjects": "__main__" }),
                ErrorCode::BadRequest,
                "a subject that is none",
            ),
        ];
        for (name, args, code, why) in cases {
            let failure = run_json(&store, name, args.clone()).unwrap_err();
            assert_eq!(
                failure.answer.code, *code,
                "{why}: {}",
                failure.answer.message
            );
        }
    }
}
