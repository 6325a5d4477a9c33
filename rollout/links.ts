// Links out of Slack (a dashboard, logs, the service's page), configured per app as URL
// templates and filled in for a rollout: `https://grafana/d/x?var-app={{app}}&from={{start}}`.
import { z } from 'zod';

export const LINK_VARIABLES = ['app', 'cluster', 'version', 'rolloutId', 'start', 'end'] as const;
export type LinkVariable = (typeof LINK_VARIABLES)[number];
export type LinkValues = Record<LinkVariable, string>;

export interface LinkTemplate {
  text: string;
  url: string;
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** What is wrong with a template, in words for the config file: unknown variables, a stray brace. */
export function linkTemplateProblems(url: string): string[] {
  const problems = [...url.matchAll(PLACEHOLDER)]
    .map((m) => m[1] ?? '')
    .filter((name) => !(LINK_VARIABLES as readonly string[]).includes(name))
    .map((name) => `unknown variable {{${name}}}; the variables are ${LINK_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`);
  if (/\{\{|\}\}/.test(url.replace(PLACEHOLDER, ''))) problems.push('a {{ without its }} (or the reverse)');
  return problems;
}

export const linkSchema = z
  .strictObject({
    text: z.string().min(1).max(60),
    // Slack link syntax <url|text> breaks on |, < and > and spaces; values are URL-encoded when filled.
    url: z
      .string()
      .max(1000)
      .refine((url) => /^https?:\/\/[^\s|<>]+$/.test(url.replace(PLACEHOLDER, 'x')), 'must be an http(s) URL without spaces, |, < or >'),
  })
  .superRefine((link, ctx) => {
    for (const problem of linkTemplateProblems(link.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
  });

/** A template with its variables filled in, each value URL-encoded. */
export function fillLink(template: LinkTemplate, values: LinkValues): LinkTemplate {
  return { text: template.text, url: template.url.replace(PLACEHOLDER, (_all, name: string) => encodeURIComponent(values[name as LinkVariable] ?? '')) };
}
