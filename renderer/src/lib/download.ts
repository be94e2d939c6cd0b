/** Saves data as a file through the browser's own download, as a link to it clicked would. */
export function download(data: Blob, name: string) {
  const url = URL.createObjectURL(data);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // Late enough for the browser to have read it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
