//! Confirming one's password again (before a secret ballot once the app was left idle) on a real
//! server: the right password is confirmed, a wrong one is refused without ending the session,
//! and guessing is limited exactly like logins — after ten wrong tries even the right one waits.

use anyhow::{bail, Result};
use phonghop_client::Session;
use phonghop_journeys::{unix_now, TestServer, PASSWORD};
use phonghop_protocol::ErrorCode;

async fn refused(session: &Session, password: &str) -> Result<ErrorCode> {
    match session.confirm_password(password).await {
        Ok(confirmed) => bail!("{password:?} was confirmed: {confirmed:?}"),
        Err(error) => Ok(error.code().unwrap_or(ErrorCode::Internal)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_is_confirmed_again_under_the_login_limits() -> Result<()> {
    let server = TestServer::start(2).await?;
    let delegate = server.login_delegate(0).await?;

    let confirmed = delegate.confirm_password(PASSWORD).await?;
    assert!((unix_now() - confirmed.confirmed_at).abs() <= 5, "{confirmed:?}");

    assert_eq!(
        refused(&delegate, "hop-khong-giay-sai").await?,
        ErrorCode::WrongCredentials
    );
    // A wrong password ends nothing: the session still works.
    assert!(!delegate.meetings().await?.is_empty());

    // Another councillor's password is not this one's.
    let other = server.login_delegate(1).await?;
    assert_eq!(refused(&other, "").await?, ErrorCode::WrongCredentials);

    // Guessing on a laptop left open: ten wrong tries, then even the right password waits, and
    // so does a login of that account from this address.
    for _ in 0..9 {
        assert_eq!(refused(&delegate, "doan-mat-khau").await?, ErrorCode::WrongCredentials);
    }
    assert_eq!(refused(&delegate, PASSWORD).await?, ErrorCode::RateLimited);
    let username = server.roster().delegates[0].clone();
    match Session::login(server.url(), &username, PASSWORD).await {
        Ok(_) => bail!("a login went through while its account was being guessed"),
        Err(error) => assert_eq!(error.code(), Some(ErrorCode::RateLimited)),
    }
    // The other councillor is not held up by it.
    other.confirm_password(PASSWORD).await?;

    // Without a session there is nothing to confirm.
    let anonymous = server
        .http()
        .post(format!("{}/api/confirm-password", server.url()))
        .json(&serde_json::json!({ "password": PASSWORD }))
        .send()
        .await?;
    assert_eq!(anonymous.status(), 401);
    Ok(())
}
