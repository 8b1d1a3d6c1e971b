import { describe, expect, it } from 'vitest';
import { escapeHtml, html, unsafeRaw } from '../../../src/server/html.ts';

describe('html template', () => {
  it('escapes every interpolation', () => {
    const name = `<script>alert("x")</script> & 'y' \``;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;</p>',
    );
  });

  it('passes nested templates through unescaped but escapes their values', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}</p>`.value).toBe('<p><b>&lt;i&gt;</b></p>');
  });

  it('joins arrays, escaping plain strings in them', () => {
    expect(html`<ul>${['<a>', html`<li>${'&'}</li>`]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>&amp;</li></ul>');
  });

  it('renders nothing for null, undefined and false, and numbers and true as text', () => {
    expect(html`${null}|${undefined}|${false}|${0}|${true}|${1.5}`.value).toBe('|||0|true|1.5');
  });

  it('leaves only explicitly marked markup raw', () => {
    expect(html`${unsafeRaw('<hr>')}${'<hr>'}`.value).toBe('<hr>&lt;hr&gt;');
  });

  it('does not double-escape already escaped text it is given as a string', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});
