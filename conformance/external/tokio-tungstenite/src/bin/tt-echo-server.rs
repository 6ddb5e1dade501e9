//! A tokio-tungstenite echo server: `tt-echo-server PORT`.
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let port: u16 = std::env::args().nth(1).unwrap().parse().unwrap();
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else { return };
            while let Some(result) = ws.next().await {
                match result {
                    Ok(message) if message.is_text() || message.is_binary() => {
                        if ws.send(message).await.is_err() {
                            break;
                        }
                    }
                    Ok(_) => {}
                    // The loop of tokio-tungstenite's own autobahn-server example ends here too.
                    // Flushing first sends nothing more: tungstenite queues no Close frame
                    // for a frame-level protocol error.
                    Err(_) => break,
                }
            }
        });
    }
}
