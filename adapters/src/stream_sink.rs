//! `futures` [`Stream`] and [`Sink`] over the poll methods.
//!
//! The stream yields data messages and ends after a clean close; an unclean end is one
//! `Err` item before the end. The sink waits for buffer room in `poll_ready`, queues in
//! `start_send`, writes in `poll_flush`, and runs the close handshake (code 1000) in
//! `poll_close`.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_sink::Sink;
use wsflow_core::{CloseCode, Message};

use crate::api::WebSocket;
use crate::error::Error;
use crate::runtime::Runtime;
use crate::split::{RecvHalf, SendHalf};
use crate::transport::Transport;

impl<T: Transport, R: Runtime> Stream for WebSocket<T, R> {
    type Item = Result<Message, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx).map(Result::transpose)
    }
}

impl<T: Transport, R: Runtime> Stream for RecvHalf<T, R> {
    type Item = Result<Message, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx).map(Result::transpose)
    }
}

impl<T: Transport, R: Runtime> Sink<Message> for WebSocket<T, R> {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().poll_send_ready(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: Message) -> Result<(), Error> {
        WebSocket::start_send(self.get_mut(), item)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        WebSocket::poll_flush(self.get_mut(), cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        WebSocket::poll_close(self.get_mut(), cx, CloseCode::NORMAL, "").map_ok(drop)
    }
}

impl<T: Transport, R: Runtime> Sink<Message> for SendHalf<T, R> {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().poll_send_ready(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: Message) -> Result<(), Error> {
        SendHalf::start_send(self.get_mut(), item)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        SendHalf::poll_flush(self.get_mut(), cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        SendHalf::poll_close(self.get_mut(), cx, CloseCode::NORMAL, "").map_ok(drop)
    }
}
