//! A tokio-tungstenite Autobahn client testee: `tt-autobahn-client ws://127.0.0.1:PORT AGENT`
//! (the loop of tokio-tungstenite's own autobahn-client example).
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::connect_async;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base = std::env::args().nth(1).unwrap();
    let agent = std::env::args().nth(2).unwrap();
    let (mut ws, _) = connect_async(format!("{base}/getCaseCount")).await.unwrap();
    let count: u32 = ws.next().await.unwrap().unwrap().into_text().unwrap().parse().unwrap();
    let _ = ws.close(None).await;
    for case in 1..=count {
        let url = format!("{base}/runCase?case={case}&agent={agent}");
        let Ok((mut ws, _)) = connect_async(url).await else { continue };
        while let Some(Ok(message)) = ws.next().await {
            if message.is_text() || message.is_binary() {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        }
    }
    let (mut ws, _) = connect_async(format!("{base}/updateReports?agent={agent}")).await.unwrap();
    let _ = ws.close(None).await;
    while let Some(Ok(_)) = ws.next().await {}
}
