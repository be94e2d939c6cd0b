import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TextField } from '../../renderer/src/components/fields.tsx';
import { Form } from '../../renderer/src/components/forms.tsx';
import { ListPage } from '../../renderer/src/components/ListPage.tsx';
import { DataTable, numeric } from '../../renderer/src/components/tables.tsx';
import { useSubmit } from '../../renderer/src/lib/hooks.ts';

afterEach(cleanup);

describe('the shared form and list pieces', () => {
  it('labels a text field and ties its hint to it', () => {
    const onChange = vi.fn();
    render(<TextField label="Model" hint="As the vendor names it." value="" onChange={onChange} />);
    const input = screen.getByLabelText('Model');
    expect(document.getElementById(input.getAttribute('aria-describedby')!)?.textContent).toBe(
      'As the vendor names it.',
    );
    fireEvent.change(input, { target: { value: 'gpt' } });
    expect(onChange).toHaveBeenCalledWith('gpt');
  });

  it('shows skeleton rows while loading, then an empty row or one row per item', () => {
    const table = (items: string[] | undefined) => (
      <DataTable columns={['Name', numeric('Cost')]} actions items={items} empty="Nothing yet.">
        {(item) => (
          <tr key={item}>
            <td>{item}</td>
          </tr>
        )}
      </DataTable>
    );
    const { container, rerender } = render(table(undefined));
    expect(container.querySelectorAll('tbody tr.skeleton-row')).toHaveLength(3);
    expect(container.querySelector('tbody tr.skeleton-row')!.children).toHaveLength(3);
    expect(screen.getByRole('columnheader', { name: 'Cost' }).className).toBe('num');
    expect(screen.getByRole('columnheader', { name: 'Actions' })).toBeTruthy();
    rerender(table([]));
    expect(screen.getByRole('cell', { name: 'Nothing yet.' }).getAttribute('colspan')).toBe('3');
    rerender(table(['a', 'b']));
    expect(screen.getAllByRole('row')).toHaveLength(3);
    expect(screen.queryByText('Nothing yet.')).toBeNull();
  });

  it('moves the add button from the header into the empty state while there is nothing to list', () => {
    const page = (items: string[] | undefined) => (
      <ListPage
        title="Things"
        description="All of them."
        items={items}
        addButton={<button type="button">Add a thing</button>}
        error={undefined}
        empty={<p>No things</p>}
      >
        <p>The list</p>
      </ListPage>
    );
    const { rerender } = render(page([]));
    expect(screen.getByText('No things')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Add a thing' })).toBeNull();
    rerender(page(['a']));
    expect(screen.getByText('The list')).toBeTruthy();
    expect(within(screen.getByRole('banner')).getByRole('button', { name: 'Add a thing' })).toBeTruthy();
  });

  it('checks a form before sending it, and shows either refusal in the form', async () => {
    const send = vi.fn(async () => {
      throw new Error('The gateway said no.');
    });
    function Editor({ valid }: { valid: boolean }) {
      const { error, busy, submit } = useSubmit();
      const save = () =>
        submit(() => {
          if (!valid) throw new Error('Name: needed.');
          return send;
        });
      return (
        <Form onSubmit={save} hiddenSubmit error={error}>
          <TextField label="Name" value="" onChange={() => {}} disabled={busy} />
        </Form>
      );
    }
    const { rerender, container } = render(<Editor valid={false} />);
    fireEvent.submit(container.querySelector('form')!);
    expect((await screen.findByRole('alert')).textContent).toContain('Name: needed.');
    expect(send).not.toHaveBeenCalled();
    rerender(<Editor valid />);
    fireEvent.submit(container.querySelector('form')!);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('The gateway said no.'));
    expect(send).toHaveBeenCalledOnce();
    expect((screen.getByLabelText('Name') as HTMLInputElement).disabled).toBe(false);
  });
});
