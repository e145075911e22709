import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { Localized } from '@/components/Localized';
import { FirstRun } from '@/components/Onboarding';
import { OptionsApp } from '@/components/OptionsApp';
import { agentItem, languageItem, settingsItem, workspaceItem } from '@/lib/storage/items';

afterEach(() => {
  cleanup();
  fakeBrowser.reset();
});

/** The options page as the agent sees it, in the language stored (or the browser's). */
async function showOptions(language: 'auto' | 'ar' | 'es' | 'pt-BR') {
  await languageItem.setValue(language);
  // A name that looks like markup stays a name: it is never parsed by <Trans>.
  await agentItem.setValue({ id: 'a1', organisationId: 'o1', displayName: 'Bob <b>Lee</b>', email: 'bob@acme.test', role: 'agent' });
  await workspaceItem.setValue({ url: 'https://switchboard.acme.test', name: 'Acme' });
  render(
    <Localized>
      <OptionsApp />
    </Localized>,
  );
  await screen.findByRole('heading', { level: 1 });
}

describe('the options page in the agent’s language', () => {
  it('shows the account, the workspace and notifications in Arabic, right to left', async () => {
    await showOptions('ar');
    expect(document.documentElement.dir).toBe('rtl');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('إعدادات Switchboard');
    const account = await screen.findByRole('region', { name: 'الحساب' });
    expect(account.querySelector('strong')!.textContent).toBe('Bob <b>Lee</b>');
    expect(account.textContent).toContain('تم تسجيل الدخول باسم Bob <b>Lee</b> (bob@acme.test)');
    expect(within(account).getByRole('button', { name: 'تسجيل الخروج' })).toBeTruthy();
    const workspace = await screen.findByRole('group', { name: 'مساحة العمل' });
    expect(within(workspace).getByRole('status').textContent).toBe('متصل بـ switchboard.acme.test (Acme)');
    expect(await screen.findByRole('checkbox', { name: 'تشغيل صوت' })).toBeTruthy();
  });

  it('switches language from its picker, and back to the browser’s with Browser language', async () => {
    await showOptions('auto');
    const picker = await screen.findByRole('combobox', { name: 'Language' });
    await act(async () => fireEvent.change(picker, { target: { value: 'pt-BR' } }));
    await screen.findByRole('heading', { name: 'Configurações do Switchboard' });
    expect(screen.getByRole('button', { name: 'Sair' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('pt-BR');
    await act(async () => fireEvent.change(screen.getByRole('combobox', { name: 'Idioma' }), { target: { value: 'auto' } }));
    await screen.findByRole('heading', { name: 'Switchboard settings' });
    expect(await languageItem.getValue()).toBe('auto');
  });

  it('explains a wrong workspace URL in Spanish without asking the background', async () => {
    await languageItem.setValue('es');
    await settingsItem.setValue({ serverUrl: '', supabaseUrl: '', supabaseAnonKey: '' });
    render(
      <Localized>
        <FirstRun />
      </Localized>,
    );
    const field = await screen.findByLabelText('URL del espacio de trabajo');
    fireEvent.change(field, { target: { value: 'http://switchboard.acme.test' } });
    fireEvent.click(screen.getByRole('button', { name: 'Conectar' }));
    expect((await screen.findByRole('alert')).textContent).toBe('La URL del espacio de trabajo debe empezar por https:// (http:// solo para este equipo).');
    // A first-run agent picks their language before anything else.
    expect(await screen.findByRole('combobox', { name: 'Idioma' })).toBeTruthy();
  });
});
