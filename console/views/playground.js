// Prompt playground: pick a registry prompt and version, fill its declared variables, pick any
// configured model and run it (through the gateway's own chat route, so it is budgeted and logged).
import { api, disabledNotice, errorBox, fmtMs, fmtNumber, h, isDisabled } from '../lib.js';

function variableInput(name, spec) {
  const s = typeof spec === 'string' ? { type: spec } : spec;
  const id = `var-${name}`;
  const label = `${name}${s.optional ? ' (optional)' : ''}${s.type === 'list' ? ' — one item per line' : ''}`;
  const input =
    s.type === 'boolean'
      ? h('select', { id, 'data-var': name, 'data-type': s.type }, h('option', { value: '' }, '—'), h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'))
      : s.type === 'list' || s.type === 'string'
        ? h('textarea', { id, 'data-var': name, 'data-type': s.type, rows: 3 })
        : h('input', { id, 'data-var': name, 'data-type': s.type, type: 'number', step: 'any' });
  if (s.default !== undefined && 'value' in input) input.value = Array.isArray(s.default) ? s.default.join('\n') : String(s.default);
  return h('div', { class: 'field' }, h('label', { for: id }, label), s.description ? h('span', { class: 'muted' }, s.description) : null, input);
}

function readVariables(container) {
  const out = {};
  for (const el of container.querySelectorAll('[data-var]')) {
    if (el.value === '') continue;
    const t = el.dataset.type;
    out[el.dataset.var] = t === 'number' ? Number(el.value) : t === 'boolean' ? el.value === 'true' : t === 'list' ? el.value.split('\n').map((x) => x.trim()).filter(Boolean) : el.value;
  }
  return out;
}

export function render(main) {
  const promptSelect = h('select', { id: 'pg-prompt' });
  const versionSelect = h('select', { id: 'pg-version' });
  const modelInput = h('input', { id: 'pg-model', list: 'pg-models', placeholder: "the prompt's model", autocomplete: 'off' });
  const modelList = h('datalist', { id: 'pg-models' });
  const temperature = h('input', { id: 'pg-temperature', type: 'number', min: 0, max: 2, step: '0.1', value: '' });
  const vars = h('div', { id: 'pg-variables' });
  const description = h('p', { class: 'muted' });
  const output = h('div', { role: 'status', 'aria-live': 'polite', id: 'pg-output' });
  const runButton = h('button', { type: 'submit', class: 'button primary', id: 'pg-run' }, 'Run');

  async function loadPrompt() {
    const ref = versionSelect.value ? `${promptSelect.value}@${versionSelect.value}` : promptSelect.value;
    try {
      const p = await api(`prompts/${ref.split('/').map(encodeURIComponent).join('/')}`);
      description.textContent = `${p.meta.description} (owner ${p.meta.owner}; written for ${p.meta.model})`;
      vars.replaceChildren(...Object.entries(p.meta.variables).map(([n, s]) => variableInput(n, s)));
      modelInput.placeholder = `the prompt's model (${p.meta.model})`;
    } catch (err) {
      vars.replaceChildren(errorBox(err));
    }
  }

  async function init() {
    try {
      const [{ data: prompts }, { data: models }] = await Promise.all([api('prompts'), api('models')]);
      if (prompts.length === 0) {
        main.append(h('p', { class: 'notice' }, 'No prompts in the registry (./prompts).'));
        return;
      }
      promptSelect.replaceChildren(...prompts.map((p) => h('option', { value: p.id }, `${p.id} (latest ${p.latest})`)));
      modelList.replaceChildren(...models.map((m) => h('option', { value: m.id })));
      const fillVersions = () => {
        const p = prompts.find((x) => x.id === promptSelect.value);
        versionSelect.replaceChildren(h('option', { value: '' }, 'latest'), ...(p?.versions ?? []).slice().reverse().map((v) => h('option', { value: v }, v)));
      };
      promptSelect.addEventListener('change', () => {
        fillVersions();
        void loadPrompt();
      });
      versionSelect.addEventListener('change', loadPrompt);
      fillVersions();
      await loadPrompt();
    } catch (err) {
      main.append(isDisabled(err) ? disabledNotice('The prompt registry') : errorBox(err));
    }
  }

  const form = h(
    'form',
    { id: 'playground-form' },
    h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'pg-prompt' }, 'Prompt'), promptSelect), h('div', { class: 'field' }, h('label', { for: 'pg-version' }, 'Version'), versionSelect), h('div', { class: 'field' }, h('label', { for: 'pg-model' }, 'Model'), modelInput, modelList), h('div', { class: 'field' }, h('label', { for: 'pg-temperature' }, 'Temperature'), temperature)),
    description,
    h('h3', {}, 'Variables'),
    vars,
    h('div', { class: 'actions' }, runButton),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    runButton.disabled = true;
    output.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
    const ref = versionSelect.value ? `${promptSelect.value}@${versionSelect.value}` : promptSelect.value;
    try {
      const r = await api('playground', { method: 'POST', body: { prompt: ref, variables: readVariables(vars), ...(modelInput.value.trim() ? { model: modelInput.value.trim() } : {}), ...(temperature.value !== '' ? { temperature: Number(temperature.value) } : {}) } });
      output.replaceChildren(
        h('h3', {}, 'Output'),
        h('pre', { id: 'pg-result' }, r.output),
        h('p', { class: 'muted' }, `${r.prompt} on ${r.model}${r.servedModel ? ` (served by ${r.servedModel})` : ''} · ${fmtMs(r.latencyMs)} · ${fmtNumber(r.usage?.prompt_tokens)} in / ${fmtNumber(r.usage?.completion_tokens)} out · finish ${r.finishReason}`),
        h('details', {}, h('summary', {}, 'Rendered messages'), h('pre', {}, r.messages.map((m) => `${m.role}: ${m.content}`).join('\n\n'))),
      );
    } catch (err) {
      output.replaceChildren(errorBox(err));
    } finally {
      runButton.disabled = false;
    }
  });
  main.append(h('h2', {}, 'Prompt playground'), form, output);
  void init();
  return undefined;
}
