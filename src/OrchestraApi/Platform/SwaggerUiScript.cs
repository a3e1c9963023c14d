namespace OrchestraApi.Platform;

/// <summary>
/// What Swagger UI cannot show by itself, taught by a small script added to its page: an <c>image/svg+xml</c> answer
/// (the timeline) is drawn above its XML text, and a <c>text/event-stream</c> answer (the live status), which never
/// ends and would show "LOADING" forever, shows its events as they arrive — the first as the response, every one in a
/// "Live events" panel above it, until Stop.
/// </summary>
public static class SwaggerUiScript
{
    public const string Path = "/swagger-ui/orchestra.js";

    public const string Script = """
        new MutationObserver(() => {
          for (const code of document.querySelectorAll('.live-responses-table .response-col_description .highlight-code pre')) {
            const text = code.innerText.trimStart();
            const panel = code.closest('.highlight-code');
            if (!text.startsWith('<svg') || panel.previousElementSibling?.classList.contains('svg-answer')) continue;
            const picture = document.createElement('img');
            picture.className = 'svg-answer';
            picture.alt = 'The answer, drawn';
            picture.style.maxWidth = '100%';
            picture.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
            panel.before(picture);
          }
        }).observe(document.documentElement, { childList: true, subtree: true });

        // Swagger UI reads a whole answer before showing it; a stream has no end. Read it here as it comes instead.
        const fetchWhole = window.fetch.bind(window);
        window.fetch = async (input, init) => {
          const response = await fetchWhole(input, init);
          if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream') || !response.body) return response;
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          const panel = livePanel(new URL(typeof input === 'string' ? input : input.url, location.href).pathname, () => reader.cancel());
          let answered;
          const first = new Promise(resolve => { answered = resolve; });
          (async () => {
            let buffer = '';
            try {
              for (;;) {
                const { value, done } = await reader.read();
                if (done || !panel.isConnected) break;
                buffer += value.replaceAll('\r\n', '\n');
                for (let end; (end = buffer.indexOf('\n\n')) >= 0; buffer = buffer.slice(end + 2)) {
                  const block = buffer.slice(0, end + 2);
                  if (!/^data:/m.test(block)) continue;
                  showEvent(panel, block);
                  answered(block);
                }
              }
              panel.querySelector('.live-state').textContent = 'Stream closed.';
            } catch {
              panel.querySelector('.live-state').textContent = 'Stream closed.';
            } finally {
              reader.cancel().catch(() => {});
              answered('');
            }
          })();
          return new Response(await first, { status: response.status, statusText: response.statusText, headers: response.headers });
        };

        function livePanel(path, stop) {
          const operation = [...document.querySelectorAll('.opblock.is-open')].find(block => {
            const template = block.querySelector('.opblock-summary-path')?.dataset.path ?? '';
            return new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$').test(path);
          });
          operation?.querySelector('.live-events')?.stopStream?.();
          operation?.querySelector('.live-events')?.remove();
          const panel = document.createElement('div');
          panel.className = 'live-events';
          panel.style.margin = '0 20px 12px';
          const heading = document.createElement('h4');
          heading.textContent = 'Live events ';
          const state = document.createElement('span');
          state.className = 'live-state';
          state.style.fontWeight = 'normal';
          state.textContent = 'Open: events appear as they arrive (newest first).';
          const button = document.createElement('button');
          button.className = 'btn live-stop';
          button.textContent = 'Stop';
          panel.stopStream = () => { stop(); state.textContent = 'Stopped.'; button.disabled = true; };
          button.addEventListener('click', panel.stopStream);
          heading.append(state, ' ', button);
          const list = document.createElement('div');
          list.className = 'live-list';
          panel.append(heading, list);
          (operation?.querySelector('.responses-wrapper') ?? document.body).before(panel);
          return panel;
        }

        function showEvent(panel, block) {
          const field = name => block.match(new RegExp('^' + name + ': ?(.*)$', 'm'))?.[1] ?? '';
          const data = block.split('\n').filter(line => line.startsWith('data:')).map(line => line.replace(/^data: ?/, '')).join('\n');
          let shown = data;
          try { shown = JSON.stringify(JSON.parse(data), null, 2); } catch { }
          const item = document.createElement('pre');
          item.className = 'live-event microlight';
          item.textContent = `event: ${field('event')}  id: ${field('id')}  received ${new Date().toLocaleTimeString()}\n${shown}`;
          panel.querySelector('.live-list').prepend(item);
        }
        """;
}
